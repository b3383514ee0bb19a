// The guarded POST to customers' URLs (shared/net/guarded-fetch.ts) and the Standard Webhooks signing
// (shared/crypto/standard-webhooks.ts). Servers here listen on 127.0.0.1 only; every refused address is
// refused before a socket is opened (the resolver is a table, so nothing asks DNS), and a test shows it:
// the "private" name's resolver answers an address whose server would count a connection.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { maskSecret, newSigningSecret } from '../../shared/crypto/signing-secrets';
import { signatureHeaders } from '../../shared/crypto/standard-webhooks';
import { REDACTED, redact } from '../../shared/observability/logger';
import { checkUrl, guardedPost, urlRefusal, withFixedHosts } from '../../shared/net/guarded-fetch';
import type { ResolveHost } from '../../shared/net/public-address';

const table =
  (t: Record<string, string[]>): ResolveHost =>
  async (name) => {
    const found = t[name];
    if (found) return found;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
const resolve = table({ 'hooks.example.com': ['93.184.215.14'], 'rebound.example.net': ['10.0.0.1'], 'meta.example.net': ['169.254.169.254'], 'cgnat.example.net': ['100.64.1.1'] });

describe('urlRefusal: the form of a URL', () => {
  it.each([
    ['http://hooks.example.com/x', 'must use https'],
    ['ftp://hooks.example.com/x', 'must use https'],
    ['https://user:pw@hooks.example.com/x', 'must not carry a user name or password'],
    ['not a url', 'is not a URL'],
    ['http://127.0.0.1:9/x', 'must use https'],
    ['http://localhost:9/x', 'must use https'],
  ])('%s: %s', (url, reason) => expect(urlRefusal(url)).toBe(reason));

  it('takes http to a loopback literal only where the local stack allows it, never to a name', () => {
    expect(urlRefusal('http://127.0.0.1:9/x', { allowHttpLoopback: true })).toBeUndefined();
    expect(urlRefusal('http://[::1]:9/x', { allowHttpLoopback: true })).toBeUndefined();
    expect(urlRefusal('http://localhost:9/x', { allowHttpLoopback: true })).toBe('must use https');
    expect(urlRefusal('http://10.0.0.1/x', { allowHttpLoopback: true })).toBe('must use https');
  });
});

describe('checkUrl: the host, as written and as resolved', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/hook',
    'https://localhost/hook',
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://[fd00::1]/hook',
    'https://rebound.example.net/hook',
    'https://meta.example.net/hook',
    'https://cgnat.example.net/hook',
    'https://nowhere.example.org/hook',
    'https://intranet/hook',
  ])('%s is refused', async (url) => {
    const check = await checkUrl(url, { resolve, allowHttpLoopback: true });
    expect(check.ok).toBe(false);
  });

  it('a public name passes with the addresses it resolved to', async () => {
    expect(await checkUrl('https://hooks.example.com/x', { resolve })).toMatchObject({ ok: true, addresses: ['93.184.215.14'] });
  });

  it('fixed answers come before the resolver behind them', async () => {
    const r = withFixedHosts({ 'Hooks.Example.com': ['10.0.0.1'] }, resolve);
    expect(await r('hooks.example.com')).toEqual(['10.0.0.1']);
    expect(await r('meta.example.net')).toEqual(['169.254.169.254']);
  });
});

describe('guardedPost', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; headers: Record<string, unknown>; body: string }[] = [];
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
        if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(5000));
        if (req.url === '/slow') return; // never answers
        if (req.url === '/fail') return void res.writeHead(500).end('{"error":"down"}');
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  const local = { resolve, allowHttpLoopback: true };

  it('posts the body with the headers and answers the status', async () => {
    const out = await guardedPost({ url: `${base}/ok`, headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' }, body: '{"a":1}' }, local);
    expect(out).toMatchObject({ ok: true, status: 204, address: '127.0.0.1' });
    expect(seen.at(-1)).toMatchObject({ path: '/ok', body: '{"a":1}', headers: { 'webhook-id': 'msg_1' } });
  });

  it('follows no redirect: the 302 is the answer', async () => {
    const before = seen.length;
    const out = await guardedPost({ url: `${base}/redirect`, headers: {}, body: '{}' }, local);
    expect(out).toMatchObject({ ok: true, status: 302 });
    expect(seen.length).toBe(before + 1);
  });

  it('reads the answer up to its bound', async () => {
    const out = await guardedPost({ url: `${base}/big`, headers: {}, body: '{}' }, { ...local, maxBodyBytes: 1024 });
    expect(out.ok && out.body.length).toBe(1024);
    expect(out.ok && out.truncated).toBe(true);
  });

  it('gives up at its deadline', async () => {
    const out = await guardedPost({ url: `${base}/slow`, headers: {}, body: '{}' }, { ...local, timeoutMs: 200 });
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('refuses a private address before any socket opens', async () => {
    let connections = 0;
    const trap = createTcpServer((s) => (connections++, s.destroy()));
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    const port = (trap.address() as AddressInfo).port;
    // Refused by the check on the resolved address: nothing is dialled (the trap would see a connection).
    const out = await guardedPost({ url: `https://rebound.example.net:${port}/hook`, headers: {}, body: '{}' }, { resolve });
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    expect(out.ok || out.message).toMatch(/10\.0\.0\.1, a private address/);
    expect(connections).toBe(0);
    await new Promise<void>((r) => trap.close(() => r()));
  });

  it('connects to the address it checked: the name is resolved once, and the socket goes there', async () => {
    let connections = 0;
    const target = createTcpServer((s) => (connections++, s.destroy()));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    let asked = 0;
    // A rebinding resolver: the first answer passes the check (loopback allowed here), any later one would not.
    const rebinding: ResolveHost = async () => (asked++ === 0 ? ['127.0.0.1'] : ['10.0.0.1']);
    const out = await guardedPost({ url: `https://pinned.example.com:${port}/hook`, headers: {}, body: '{}' }, { resolve: rebinding, allowLoopback: true, timeoutMs: 2000 });
    // Not TLS on the other side: the exchange fails, but only after connecting to the address checked.
    expect(out.ok).toBe(false);
    expect(asked).toBe(1);
    expect(connections).toBe(1);
    await new Promise<void>((r) => target.close(() => r()));
  });
});

describe('signatureHeaders: Standard Webhooks, verified by the standardwebhooks package', () => {
  it('signs with every secret given; a receiver holding either verifies, another secret does not', () => {
    const [current, previous, other] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    expect(current).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} });
    const headers = signatureHeaders({ id: 'msg_test', body, secrets: [current, previous], at: new Date() });
    expect(headers['webhook-id']).toBe('msg_test');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(other).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow();
  });
});

describe('secrets and local switches', () => {
  it('a secret never reaches a log line whole, and is shown masked', () => {
    const secret = newSigningSecret();
    expect(redact('message', `rotated to ${secret} now`)).toBe(`rotated to ${REDACTED} now`);
    expect(redact('secret', secret)).toBe(REDACTED);
    expect(maskSecret(secret)).toBe(`whsec_…${secret.slice(-4)}`);
  });

  it('http to 127.0.0.1 and fixed host addresses are for the local stack only: a deployed stage refuses them at cold start', () => {
    expect(outboundWebhookConfig.parse({ STAGE: 'local' })).toMatchObject({ allowHttpLoopback: true, fixedHosts: {}, endpointsPerUser: 10, retentionDays: 30 });
    const deployed = { STAGE: 'prod', WEBHOOK_ENDPOINTS_PER_USER: '10', WEBHOOK_RETENTION_DAYS: '30' };
    expect(outboundWebhookConfig.parse(deployed)).toMatchObject({ allowHttpLoopback: false, fixedHosts: {} });
    expect(() => outboundWebhookConfig.parse({ ...deployed, WEBHOOK_ALLOW_HTTP_LOOPBACK: '1' })).toThrow(/local stack only/);
    expect(() => outboundWebhookConfig.parse({ ...deployed, LOCAL_HOST_ADDRESSES: '{"a.example.com":["10.0.0.1"]}' })).toThrow(/local stack only/);
    expect(() => outboundWebhookConfig.parse({ STAGE: 'prod' })).toThrow(/WEBHOOK_ENDPOINTS_PER_USER/);
  });
});
