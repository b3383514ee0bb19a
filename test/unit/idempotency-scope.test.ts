// Whose an Idempotency-Key is (shared/http/middleware/idempotency.ts), driven through the shared
// handler stack with a recording runner: an anonymous caller's key is scoped by its client address
// (an IPv6 client by its /64), a signed-in caller's by their id alone (a retry from another network is
// still the same request); and the client key itself (shared/net/client-key.ts).
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { IdempotencyRunner, IdempotentPayload } from '../../shared/http/middleware/idempotency';
import { ok } from '../../shared/http/reply';
import { buildHandler } from '../../shared/http/route';
import type { RouteDef } from '../../shared/http/route-def';
import type { HttpEvent } from '../../shared/http/state';
import { clientKey, clientScopedKey } from '../../shared/net/client-key';

const context = { awsRequestId: 'req-1', functionName: 'unit', getRemainingTimeInMillis: () => 3000 } as never;

function event(sourceIp: string, opts: { claims?: Record<string, unknown>; key?: string } = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /v1/x',
    rawPath: '/v1/x',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'idempotency-key': opts.key ?? 'k-1' },
    body: '{"a":"x"}',
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path: '/v1/x', protocol: 'HTTP/1.1', sourceIp, userAgent: 'unit' },
      requestId: 'api-1',
      ...(opts.claims ? { authorizer: { jwt: { claims: opts.claims, scopes: null } } } : {}),
    },
  } as unknown as HttpEvent;
}

const def = (access: RouteDef['access']): RouteDef => ({
  name: 'unitIdempotent',
  method: 'POST',
  path: '/v1/x',
  handler: 'functions/x.ts',
  access,
  summary: 'x',
  tags: [],
  idempotent: true,
  request: { body: z.strictObject({ a: z.string() }) },
  response: { status: 200, body: z.object({ seen: z.string() }), description: 'x' },
  uses: { table: 'write' },
});

/** A handler whose runner records the key of every request it is given, and runs it. */
function recorded(access: RouteDef['access']) {
  const keys: IdempotentPayload['key'][] = [];
  const runner: IdempotencyRunner = async ({ payload, exec }) => (keys.push(payload.key), exec());
  const handler = buildHandler(def(access), async () => ok({ seen: 'x' }), { accountState: async () => undefined, idempotency: runner });
  return { keys, call: (e: HttpEvent) => handler(e, context) };
}

describe('Idempotency-Key scope', () => {
  it('anonymous: the same key from two IPv4 addresses names two records; from one address, one', async () => {
    const { keys, call } = recorded('public');
    await call(event('198.51.100.7'));
    await call(event('198.51.100.8'));
    await call(event('198.51.100.7'));
    expect(keys).toEqual([
      [null, 'k-1', '198.51.100.7'],
      [null, 'k-1', '198.51.100.8'],
      [null, 'k-1', '198.51.100.7'],
    ]);
  });

  it('anonymous IPv6: one /64 is one client, another /64 another', async () => {
    const { keys, call } = recorded('public');
    await call(event('2001:db8:85a3:42::1'));
    await call(event('2001:db8:85a3:42:ffff::9'));
    await call(event('2001:db8:85a3:43::1'));
    expect(keys.map((k) => k[2])).toEqual(['2001:db8:85a3:42::/64', '2001:db8:85a3:42::/64', '2001:db8:85a3:43::/64']);
  });

  it('signed in: the key is the caller\'s, whatever the address', async () => {
    const { keys, call } = recorded('user');
    const claims = { sub: 'auth0|u1', permissions: '[]' };
    await call(event('198.51.100.7', { claims }));
    await call(event('2001:db8::1', { claims }));
    expect(keys).toEqual([
      ['auth0|u1', 'k-1'],
      ['auth0|u1', 'k-1'],
    ]);
  });
});

describe('clientKey', () => {
  it('an IPv4 address as it is, IPv6 by its /64, IPv4-mapped IPv6 as its IPv4 address', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:85a3:0042:1000:8a2e:370:7334')).toBe('2001:db8:85a3:42::/64');
    expect(clientKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('::ffff:c633:6407')).toBe('198.51.100.7');
  });

  it('scopes a key by client: same client same scoped key, other client another', () => {
    expect(clientScopedKey('k', '2001:db8:1:2::5')).toBe(clientScopedKey('k', '2001:db8:1:2::6'));
    expect(clientScopedKey('k', '198.51.100.7')).not.toBe(clientScopedKey('k', '198.51.100.8'));
  });
});
