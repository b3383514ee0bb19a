// The address policy (shared/net/public-address.ts) and its use on a customer's SIP gateway
// (addIntegration): addresses by kind, IPv4 and IPv6, the IPv4 inside mapped and NAT64 IPv6, names by
// form and suffix, then by every address a fake resolver gives them (no network here); the local
// switch for loopback. And the use case refuses such a gateway (400 gateway-not-public) before it
// claims a row or calls a provider.
import { describe, expect, it } from 'vitest';
import { addressPolicyConfig } from '../../shared/config/addresses';
import { GatewayNotPublicError, addIntegration, type AddIntegrationDeps } from '../../shared/domain/integrations';
import { ipv6Groups } from '../../shared/net/ip';
import { addressKind, checkPublicHost, nameRefusal, type ResolveHost } from '../../shared/net/public-address';

/** A resolver answering from a table; a name not in it fails as getaddrinfo does offline. */
const fakeResolver =
  (table: Record<string, string[]>): ResolveHost =>
  async (name) => {
    const found = table[name];
    if (found) return found;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };

describe('addressKind: what is not a public address', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.7', 'documentation'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::10', 'documentation'],
    ['3fff::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:169.254.169.254', 'link-local'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::1', 'private'],
    ['::10.0.0.1', 'reserved'],
    ['100::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['2002:a9fe:a9fe::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['e000::1', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it.each(['8.8.8.8', '217.10.79.9', '100.63.255.255', '100.128.0.1', '172.32.0.1', '11.0.0.1', '2a00:1450:4001:80b::200e', '2001:4860:4860::8888', '::ffff:217.10.79.9', '64:ff9b::8.8.8.8'])(
    '%s is public',
    (ip) => {
      expect(addressKind(ip)).toBeUndefined();
    },
  );

  it('the local switch lets loopback through, and nothing else', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(addressKind(ip, { allowLoopback: true }), ip).toBeUndefined();
    for (const ip of ['10.0.0.1', '169.254.169.254', 'fe80::1', '0.0.0.0']) expect(addressKind(ip, { allowLoopback: true }), ip).toBeDefined();
  });

  it('reads IPv6 groups in every notation', () => {
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('2001:DB8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups('10.0.0.1')).toBeUndefined();
  });
});

describe('nameRefusal: names that cannot be public', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'api.localhost',
    'metadata.google.internal',
    'metadata.google.internal.',
    'printer.local',
    'pbx.corp',
    'pbx.lan',
    'router.home.arpa',
    'sip.test',
    'sip.example',
    'x.invalid',
    'abc.onion',
    'metadata',
    'pbx',
    '127.1',
    '0x7f.1',
    'a..b',
  ])('%s is refused', (name) => {
    expect(nameRefusal(name)).toBeDefined();
  });

  it.each(['sip.example.com', 'sipconnect.sipgate.de', 'pbx.customer.co.uk', 'sip.example-pbx.de', 'trunk.internal-pbx.de', 'local.example.org'])('%s may be public', (name) => {
    expect(nameRefusal(name)).toBeUndefined();
  });

  it('the local switch lets localhost names through, not other internal ones', () => {
    expect(nameRefusal('localhost', { allowLoopback: true })).toBeUndefined();
    expect(nameRefusal('pbx.localhost', { allowLoopback: true })).toBeUndefined();
    expect(nameRefusal('metadata.google.internal', { allowLoopback: true })).toBeDefined();
  });
});

describe('checkPublicHost: before and after resolving', () => {
  const resolve = fakeResolver({
    'sip.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'pbx.rebind.example.net': ['93.184.215.14', '10.0.0.5'],
    'pbx.v6.example.net': ['2a00:1450:4001::1', 'fd00::5'],
    'meta.example.net': ['169.254.169.254'],
    'home.example.net': ['::1'],
    'weird.example.net': ['not-an-ip'],
    'empty.example.net': [],
  });

  it('a literal public address passes without resolving', async () => {
    const never: ResolveHost = () => Promise.reject(new Error('must not resolve'));
    expect(await checkPublicHost('217.10.79.9', { resolve: never })).toEqual({ ok: true, addresses: ['217.10.79.9'] });
    expect(await checkPublicHost('[2a00:1450:4001::1]', { resolve: never })).toEqual({ ok: true, addresses: ['2a00:1450:4001::1'] });
  });

  it('a name passes when every address it resolves to is public', async () => {
    expect(await checkPublicHost('sip.example.com', { resolve })).toEqual({ ok: true, addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
  });

  it.each([
    ['pbx.rebind.example.net', /resolves to 10\.0\.0\.5, a private address/],
    ['pbx.v6.example.net', /resolves to fd00::5, a private address/],
    ['meta.example.net', /resolves to 169\.254\.169\.254, a link-local address/],
    ['home.example.net', /resolves to ::1, a loopback address/],
    ['nowhere.example.net', /does not resolve \(ENOTFOUND\)/],
    ['empty.example.net', /does not resolve/],
    ['weird.example.net', /does not resolve to an IP address/],
    ['metadata.google.internal', /internal name \(\.internal\)/],
    ['10.0.0.1', /10\.0\.0\.1 is a private address/],
  ])('%s is refused: %s', async (host, reason) => {
    const check = await checkPublicHost(host, { resolve });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(reason);
  });

  it('a name refused by its form is never resolved', async () => {
    const asked: string[] = [];
    const spy: ResolveHost = async (name) => (asked.push(name), ['8.8.8.8']);
    for (const host of ['metadata.google.internal', 'localhost', 'pbx']) expect((await checkPublicHost(host, { resolve: spy })).ok).toBe(false);
    expect(asked).toEqual([]);
  });

  it('a resolver that hangs is a refusal after the timeout, not a hang', async () => {
    const hang: ResolveHost = () => new Promise(() => {});
    const check = await checkPublicHost('slow.example.net', { resolve: hang, timeoutMs: 20 });
    expect(check).toEqual({ ok: false, reason: 'slow.example.net does not resolve (ETIMEOUT)' });
  });

  it('with the local switch, a loopback gateway passes and a name resolving to loopback too', async () => {
    expect((await checkPublicHost('127.0.0.1', { resolve, allowLoopback: true })).ok).toBe(true);
    expect((await checkPublicHost('home.example.net', { resolve, allowLoopback: true })).ok).toBe(true);
    expect((await checkPublicHost('meta.example.net', { resolve, allowLoopback: true })).ok).toBe(false);
  });
});

describe('ALLOW_LOOPBACK_ADDRESSES', () => {
  it('is off unless set, may be set locally, and stops a deployed stage at cold start', () => {
    expect(addressPolicyConfig.parse({ STAGE: 'local' })).toEqual({ allowLoopback: false });
    expect(addressPolicyConfig.parse({ STAGE: 'test', ALLOW_LOOPBACK_ADDRESSES: '1' })).toEqual({ allowLoopback: true });
    expect(() => addressPolicyConfig.parse({ STAGE: 'prod', ALLOW_LOOPBACK_ADDRESSES: '1' })).toThrow(/local stack only/);
    expect(addressPolicyConfig.parse({ STAGE: 'prod' })).toEqual({ allowLoopback: false });
  });
});

describe('addIntegration: an external gateway that is not public', () => {
  /** Deps that read a user with an assistant and no line, and record every other port touched. */
  const deps = (resolve: ResolveHost, allowLoopback = false) => {
    const touched: string[] = [];
    const recording = new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : () => (touched.push(String(p)), Promise.reject(new Error(`touched ${String(p)}`)))) });
    const d = {
      users: { loadUser: async () => ({ assistant: { status: 'ready', assistantId: 'asst-1' } }) },
      lines: new Proxy({ get: async () => undefined }, { get: (t, p) => (p === 'get' ? t.get : Reflect.get(recording, p)) }),
      vapi: recording,
      sipgate: recording,
      sipgateAccount: { userId: 'w0', trunkDeviceId: 'e0' },
      poolCredentialId: 'pool',
      gateways: { resolve, allowLoopback },
    } as unknown as AddIntegrationDeps;
    return { d, touched };
  };
  const body = (gateway: string) =>
    ({ mode: 'external', gateway, port: 5060, inboundEnabled: true, authUsername: 'u', authPassword: 'p', phoneNumber: '+4930123456789' }) as const;
  const resolve = fakeResolver({ 'pbx.rebind.example.net': ['93.184.215.14', '10.0.0.5'] });

  it.each(['169.254.169.254', '10.0.0.1', '127.0.0.1', '::ffff:127.0.0.1', 'fd00::1', 'metadata.google.internal', 'pbx.rebind.example.net', 'nowhere.example.net'])(
    '%s → 400 gateway-not-public naming body.gateway; no row claimed, no provider called',
    async (gateway) => {
      const { d, touched } = deps(resolve);
      const err = await addIntegration(d, { id: 'auth0|u' }, body(gateway)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayNotPublicError);
      expect(err).toMatchObject({ status: 400, slug: 'gateway-not-public', errors: [{ path: 'body.gateway', message: expect.stringContaining('public internet') }] });
      expect(touched).toEqual([]);
    },
  );

  it('a public gateway gets past the check: the line is claimed next', async () => {
    const { d, touched } = deps(resolve);
    await addIntegration(d, { id: 'auth0|u' }, body('217.10.79.9')).catch(() => undefined);
    expect(touched[0]).toBe('claim');
  });

  it('with the local switch a loopback gateway gets past the check too', async () => {
    const { d, touched } = deps(resolve, true);
    await addIntegration(d, { id: 'auth0|u' }, body('127.0.0.1')).catch(() => undefined);
    expect(touched[0]).toBe('claim');
  });
});
