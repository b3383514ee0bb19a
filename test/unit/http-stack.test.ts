// The shared handler stack, driven directly with API Gateway v2 events for rules no manifest route
// exercises yet (admin, webhooks) and for the error mapping.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ProviderUnavailableError } from '../../shared/errors';
import { callerFromClaims, claimList } from '../../shared/http/caller';
import type { AccountState } from '../../shared/domain/account-state';
import { ok } from '../../shared/http/reply';
import { buildHandler } from '../../shared/http/route';
import type { RouteDef } from '../../shared/http/route-def';
import type { HttpEvent } from '../../shared/http/state';
import { bearerCheck, type BearerCredentials } from '../../shared/http/middleware/credentials';
import type { Caller } from '../../shared/model/caller';
import { InsufficientScopeError } from '../../shared/errors';

const context = { awsRequestId: 'req-1', functionName: 'unit', getRemainingTimeInMillis: () => 3000 } as never;

function event(opts: { claims?: Record<string, unknown>; headers?: Record<string, string>; body?: string } = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /v1/x',
    rawPath: '/v1/x',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.body,
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path: '/v1/x', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' },
      requestId: 'api-1',
      ...(opts.claims ? { authorizer: { jwt: { claims: opts.claims, scopes: null } } } : {}),
    },
  } as unknown as HttpEvent;
}

const def = (over: Partial<RouteDef>): RouteDef => ({
  name: 'unitRoute',
  method: 'POST',
  path: '/v1/x',
  handler: 'functions/x.ts',
  access: 'admin',
  summary: 'x',
  tags: [],
  response: { status: 200, body: z.object({ seen: z.string() }), description: 'x' },
  // Authenticated routes read the caller's account state, so they use the table (here a stand-in reader).
  uses: { table: 'read' },
  ...over,
});

const accountStates = new Map<string, AccountState>();
/** The ports the stack is given (shared/app/ composes the real ones): a stand-in account state reader. */
const ports = { accountState: async (userId: string) => accountStates.get(userId) };

describe('access rules', () => {
  // Admin routes check the bearer themselves (shared/app/admin-route.ts); here the token is the claims as JSON.
  const asked: string[] = [];
  const claimsAsToken: BearerCredentials = {
    async authenticate(token) {
      asked.push(token);
      const caller = callerFromClaims(JSON.parse(token) as Record<string, unknown>);
      return caller && { caller };
    },
  };
  const admin = buildHandler(def({ access: 'admin' }), async ({ caller }) => ok({ seen: caller!.id }), { ...ports, credentials: bearerCheck(claimsAsToken) });
  const bearer = (claims: Record<string, unknown>) => ({ authorization: `Bearer ${JSON.stringify(claims)}` });

  it('admin route: API Gateway has no authorizer on it, so it is given a credential check or refused at build', () => {
    expect(() => buildHandler(def({ access: 'admin' }), async () => ok({ seen: '' }), ports)).toThrow(/admin-route\.ts/);
  });

  it('admin route: an API key → 403 api-key-not-accepted, without asking about the key', async () => {
    asked.length = 0;
    const res = (await admin(event({ headers: { authorization: 'Bearer fon_live_0123456789abcdefghijABCDEFGHIJ0123456789abc' } }), context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).type).toBe('urn:fonella:problem:api-key-not-accepted');
    expect(asked).toEqual([]);
  });

  it('admin route: a caller without the admin permission → 403', async () => {
    const res = (await admin(event({ headers: bearer({ sub: 'u1', permissions: '[read:calls]' }) }), context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).type).toBe('urn:fonella:problem:admin-required');
  });

  it('admin route: the admin permission, flattened by API Gateway, passes', async () => {
    const res = (await admin(event({ headers: bearer({ sub: 'u2', permissions: '[admin]' }) }), context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ seen: 'u2' });
  });

  it('admin route: no token → 401 problem+json; claims of the authorizer alone (none runs here) do not pass', async () => {
    const res = (await admin(event(), context)) as { statusCode: number; headers: Record<string, string> };
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const forged = (await admin(event({ claims: { sub: 'u3', permissions: '[admin]' } }), context)) as { statusCode: number };
    expect(forged.statusCode).toBe(401);
  });

  it('vapi webhook: the shared secret header is required and compared', async () => {
    const hook = buildHandler(def({ access: 'vapi', response: { status: 200, description: 'x' } }), async () => ({ status: 200, body: {} }));
    const wrong = (await hook(event({ headers: { 'x-vapi-secret': 'nope' } }), context)) as { statusCode: number };
    expect(wrong.statusCode).toBe(401);
    const right = (await hook(event({ headers: { 'x-vapi-secret': 'local-vapi-secret' } }), context)) as { statusCode: number };
    expect(right.statusCode).toBe(200);
  });

  it('stripe webhook: no Stripe-Signature → 400 webhook-signature; with one the raw body reaches the use case unchanged', async () => {
    let seen = '';
    const hook = buildHandler(def({ access: 'stripe', request: { raw: true }, response: { status: 200, description: 'x' } }),
      async ({ rawBody }) => {
        seen = rawBody;
        return { status: 200, body: {} };
      },
    );
    expect(((await hook(event({ body: '{"a":1}' }), context)) as { statusCode: number }).statusCode).toBe(400);
    const body = '{ "id": "evt_1",  "x": 1 }';
    await hook(event({ headers: { 'stripe-signature': 't=1,v1=x' }, body }), context);
    expect(seen).toBe(body);
  });
});

describe('the account gate', () => {
  const user = buildHandler(def({ access: 'user' }), async ({ caller }) => ok({ seen: caller!.id }), ports);

  it('a caller whose account is being deleted → 409, a deleted one → 410, before the handler runs', async () => {
    accountStates.set('busy', 'running');
    accountStates.set('gone', 'done');
    const busy = (await user(event({ claims: { sub: 'busy' } }), context)) as { statusCode: number; body: string };
    expect(busy.statusCode).toBe(409);
    expect(JSON.parse(busy.body).type).toBe('urn:fonella:problem:account-being-deleted');
    const gone = (await user(event({ claims: { sub: 'gone' } }), context)) as { statusCode: number; body: string };
    expect(gone.statusCode).toBe(410);
    expect(JSON.parse(gone.body).type).toBe('urn:fonella:problem:account-deleted');
    expect(((await user(event({ claims: { sub: 'open' } }), context)) as { statusCode: number }).statusCode).toBe(200);
  });

  it('an authenticated route without the table is refused at cold start', () => {
    expect(() => buildHandler(def({ access: 'user', uses: {} }), async () => ok({ seen: '' }), ports)).toThrow(/must use the table/);
  });

  it('an authenticated route given no account state reader is refused at cold start', () => {
    expect(() => buildHandler(def({ access: 'user' }), async () => ok({ seen: '' }))).toThrow(/no account state reader/);
  });

  it('an idempotent route that would check the account in its own read is refused at cold start', () => {
    const d = def({ access: 'user', idempotent: true, accountState: 'in-partition-read', uses: { table: 'write' } });
    expect(() => buildHandler(d, async () => ok({ seen: '' }), ports)).toThrow(/let the stack gate it/);
  });

  it('a route that checks the account in its own read gets no gate read from the stack', async () => {
    const reads: string[] = [];
    const handler = buildHandler(def({ access: 'user', accountState: 'in-partition-read' }), async () => ok({ seen: 'x' }), {
      accountState: async (id) => void reads.push(id),
    });
    expect(((await handler(event({ claims: { sub: 'gone' } }), context)) as { statusCode: number }).statusCode).toBe(200);
    expect(reads).toEqual([]);
  });

  it('an idempotent route given no idempotency runner is refused at cold start', () => {
    expect(() => buildHandler(def({ access: 'public', idempotent: true, uses: { table: 'write' } }), async () => ok({ seen: '' }), ports)).toThrow(/no idempotency runner/);
  });
});

describe('routes that take API keys (the bearer check of shared/http/middleware/credentials.ts)', () => {
  const rate = { limit: 120, remaining: 119, resetSeconds: 42, windowSeconds: 60 };
  const keyCaller = (id: string, scopes: ('calls:read' | 'webhooks:manage' | 'tools:manage')[]): Caller => ({
    id, emailVerified: false, permissions: [], isAdmin: false, apiKey: { keyId: `key-${id}`, scopes },
  });
  /** A stand-in for the composed check (shared/app/key-route.ts): tokens by name. */
  const credentials: BearerCredentials = {
    async authenticate(token) {
      if (token === 'jwt-ok') return { caller: { id: 'jwt-user', emailVerified: true, permissions: [], isAdmin: false } };
      if (token === 'fon_live_calls') return { caller: keyCaller('key-user', ['calls:read']), rate, ratePolicy: 'per-key' };
      if (token === 'fon_live_tools') return { caller: keyCaller('key-user', ['tools:manage']), rate, ratePolicy: 'per-key' };
      return undefined;
    },
  };
  const keyRoute = def({ access: 'user', apiKeyScopes: ['calls:read'] });
  const handler = buildHandler(keyRoute, async ({ caller }) => ok({ seen: caller!.id }), { ...ports, credentials: bearerCheck(credentials) });
  const call = async (authorization?: string) =>
    (await handler(event(authorization ? { headers: { authorization } } : {}), context)) as { statusCode: number; body: string; headers: Record<string, string> };

  it("the portal's JWT, as the port verified it → the handler sees its user, no RateLimit fields", async () => {
    const res = await call('Bearer jwt-ok');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ seen: 'jwt-user' });
    expect(res.headers.ratelimit).toBeUndefined();
  });

  it("a key with the route's scope → its owner, with the RateLimit fields of the draft", async () => {
    const res = await call('bearer fon_live_calls');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ seen: 'key-user' });
    expect(res.headers).toMatchObject({ 'ratelimit-policy': '"per-key";q=120;w=60', ratelimit: '"per-key";r=119;t=42' });
  });

  it('a key without it → 403 insufficient-scope naming the scope, with the challenge and the RateLimit fields; the handler never runs', async () => {
    const res = await call('Bearer fon_live_tools');
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'urn:fonella:problem:insufficient-scope', detail: 'This route needs an API key with the scope `calls:read`.' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="fonella", error="insufficient_scope", scope="calls:read"');
    expect(res.headers.ratelimit).toBe('"per-key";r=119;t=42');
  });

  it('no token, another scheme, or a token the port refuses → 401 problem+json with the bearer challenge', async () => {
    for (const [authorization, challenge] of [
      [undefined, 'Bearer realm="fonella"'],
      ['Basic dXNlcjpwdw==', 'Bearer realm="fonella"'],
      ['Bearer a b', 'Bearer realm="fonella"'],
      ['Bearer forged', 'Bearer realm="fonella", error="invalid_token"'],
    ] as const) {
      const res = await call(authorization);
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(res.body).type).toBe('urn:fonella:problem:unauthorized');
      expect(res.headers['www-authenticate'], authorization).toBe(challenge);
    }
  });

  it("a key's caller passes the account gate like the portal's user (409 while the account is being deleted)", async () => {
    accountStates.set('key-user', 'running');
    try {
      expect((await call('Bearer fon_live_calls')).statusCode).toBe(409);
    } finally {
      accountStates.delete('key-user');
    }
  });

  it("the API Gateway claims of a route's event are never read on a route that takes keys", async () => {
    const res = (await handler(event({ claims: { sub: 'claimed', permissions: '[admin]' } }), context)) as { statusCode: number };
    expect(res.statusCode).toBe(401);
  });

  it('is refused at cold start: without the bearer check, on a route other than a customer one, with an unknown scope', () => {
    expect(() => buildHandler(keyRoute, async () => ok({ seen: '' }), ports)).toThrow(/shared\/app\/key-route\.ts/);
    for (const access of ['admin', 'partner', 'public'] as const) {
      expect(() => buildHandler(def({ access, apiKeyScopes: ['calls:read'] }), async () => ok({ seen: '' }), { ...ports, credentials: bearerCheck(credentials) }), access).toThrow(/reaches only customer routes/);
    }
    expect(() => buildHandler(def({ access: 'user', apiKeyScopes: ['calls:write' as never] }), async () => ok({ seen: '' }), { ...ports, credentials: bearerCheck(credentials) })).toThrow(/unknown API key scope/);
  });

  it('names a scope, or the scopes of which one is needed', () => {
    expect(new InsufficientScopeError(['calls:read', 'tools:manage']).message).toBe('This route needs an API key with one of the scopes `calls:read`, `tools:manage`.');
  });
});

describe('error mapping', () => {
  it('a provider failure → 502 problem+json naming provider and operation, no internals', async () => {
    const h = buildHandler(def({ access: 'public' }), async () => {
      throw new ProviderUnavailableError('mailgun', 'send message', { cause: 'secret-key-abc in a stack' });
    });
    const res = (await h(event(), context)) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ type: 'urn:fonella:problem:provider-unavailable', status: 502 });
    expect(res.body).not.toContain('secret-key-abc');
  });

  it('an unexpected error → 500 with a generic text, never the message or stack', async () => {
    const h = buildHandler(def({ access: 'public' }), async () => {
      throw new Error('db password is hunter2');
    });
    const res = (await h(event(), context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('at ');
  });

  it('a reply that breaks its response schema is a 500, not a wrong document', async () => {
    const h = buildHandler(def({ access: 'public' }), async () => ok({ seen: 42 }));
    const res = (await h(event(), context)) as { statusCode: number };
    expect(res.statusCode).toBe(500);
  });
});

describe('claims', () => {
  it('reads permissions as a JSON array or as API Gateway’s flattened string', () => {
    expect(claimList(['admin', 'x'])).toEqual(['admin', 'x']);
    expect(claimList('[admin read:calls]')).toEqual(['admin', 'read:calls']);
    expect(claimList('[]')).toEqual([]);
    expect(claimList(undefined)).toEqual([]);
  });

  it('takes email and name from the namespaced claims', () => {
    const c = callerFromClaims({ sub: 'auth0|1', 'https://fonella.app/email': 'a@b.de', permissions: '[admin]' });
    expect(c).toEqual({ id: 'auth0|1', email: 'a@b.de', emailVerified: false, name: undefined, permissions: ['admin'], isAdmin: true });
    expect(callerFromClaims({ email: 'x@y.z' })).toBeUndefined();
  });

  it("counts the token's address as verified only when the token says Auth0 verified it (the authorizer's \"true\" too)", () => {
    const verified = (claims: Record<string, unknown>) => callerFromClaims({ sub: 'auth0|1', 'https://fonella.app/email': 'a@b.de', ...claims })!.emailVerified;
    expect(verified({ 'https://fonella.app/email_verified': true })).toBe(true);
    expect(verified({ 'https://fonella.app/email_verified': 'true' })).toBe(true);
    expect(verified({ email_verified: 'true' })).toBe(true);
    expect(verified({})).toBe(false);
    expect(verified({ 'https://fonella.app/email_verified': 'false' })).toBe(false);
    expect(verified({ 'https://fonella.app/email_verified': 'yes' })).toBe(false);
    expect(verified({ 'https://fonella.app/email_verified': 1 })).toBe(false);
  });
});
