// The full auth matrix, generated from each route's `access` and `apiKeyScopes` in the manifest: every
// forged or misused credential the authorizer (or, on routes that take API keys, the function's own
// check) must refuse, each role against each route, API keys of each scope, expired and deleted ones
// against each route, and for webhooks their own secret or signature. Every refusal is checked to
// change nothing. test/integration/auth-matrix-<caller>.test.ts runs it on one caller's routes each,
// so the workers share the work.
import fc from 'fast-check';
import { SignJWT, base64url, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKeyToken } from '../../shared/crypto/api-key-tokens';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../shared/model/api-keys';
import { acceptsApiKeys, checksBearerInFunction, isAuthenticated, type RouteDef } from '../../shared/http/route-def';
import { signJambonzBody } from '../../shared/providers/jambonz/signature';
import { validBodies } from './arbitraries';
import { declaredRefusal } from './declared';
import { seedActivePartner } from './partners';
import { endsOwnAccount } from './own-account';
import { workerStack, type TestStack } from './stack';
import { expectUnchanged, settle } from './state';

let stack: TestStack;
let forged: Record<string, string | undefined>;
let roles: Record<'user' | 'partner' | 'admin', string>;
/** API keys of an account of their own each: every scope, expired, deleted. */
let keys: { every: string; expired: string; deleted: string };


/** The forged credentials, by name (values are minted in beforeAll). */
const forgedNames = Object.fromEntries(
  ['no token', 'alg none', 'a foreign key with the published kid', 'HS256 signed with the public key', 'expired', 'nbf in the future', 'the wrong audience', 'the wrong issuer', 'a kid not in the JWKS', 'no kid', 'no exp', 'iat in the future'].map((n) => [n, true]),
);

/** A request the route accepts, but for its credential. */
function requestFor(r: RouteDef) {
  const valid = validBodies(r);
  const body = valid ? fc.sample(valid, { numRuns: 1, seed: 7 })[0] : undefined;
  return { path: r.path.replace(/\{\w+\}/g, 'x'), body };
}

/** A role's token for `r`: a fresh account of that role where the route deletes the caller's own. */
async function roleToken(r: RouteDef, role: 'user' | 'partner' | 'admin'): Promise<string> {
  if (!endsOwnAccount(r)) return roles[role];
  const permissions = role === 'user' ? [] : [role];
  return stack.mintToken({ sub: `auth0|matrix-${role}-${randomUUID()}`, permissions });
}

async function send(r: RouteDef, authorization: string | undefined) {
  const { path, body } = requestFor(r);
  return stack.call(r.method, path, { body, headers: authorization ? { authorization } : {} });
}

/** Which roles a route lets through; the others get 403. */
const admits: Record<string, ('user' | 'partner' | 'admin')[]> = {
  public: ['user', 'partner', 'admin'],
  user: ['user', 'partner', 'admin'],
  partner: ['partner'],
  admin: ['admin'],
};

/**
 * Runs the matrix on `routes` (one caller's entries of the manifest) in the file that calls it.
 * `guarded` says whether the caller's routes include authenticated ones (the matrix would otherwise
 * shrink to nothing unnoticed when a route's access changed).
 */
export function authMatrix(routes: RouteDef[], opts: { guarded: boolean; todo?: boolean }): void {
  const all = routes;
  const guarded = all.filter(isAuthenticated);
  const takeKeys = guarded.filter(acceptsApiKeys);
  const webhooks = all.filter((r) => r.access === 'vapi' || r.access === 'stripe' || r.access === 'jambonz');

  beforeAll(async () => {
    stack = await workerStack();
    const issuer = `${stack.emulators.auth0}/`;
    const audience = stack.credentials.auth0!.audience!;
    const jwks = (await (await fetch(`${stack.emulators.auth0}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const published = jwks.keys[0]!;
    const claims = { permissions: ['admin'], sub: 'auth0|forger' };
    const now = Math.floor(Date.now() / 1000);
    const base = (alg: string, kid?: string) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).setIssuer(issuer).setAudience(audience).setIssuedAt(now).setExpirationTime(now + 600);
    const foreign = await generateKeyPair('RS256');
    const publicPem = await exportSPKI((await importJWK(published, 'RS256')) as CryptoKey);
    const mint = (extra: Record<string, unknown> = {}) => stack.mintToken({ sub: 'auth0|matrix', permissions: ['admin'], ...extra } as never);
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...claims, iss: issuer, aud: audience, exp: now + 600 }))}.`;

    forged = {
      'no token': undefined,
      'alg none': unsigned,
      'a foreign key with the published kid': await base('RS256', published.kid).sign(foreign.privateKey),
      'HS256 signed with the public key': await base('HS256', published.kid).sign(new TextEncoder().encode(publicPem)),
      expired: await mint({ expiresInSeconds: -60 }),
      'nbf in the future': await mint({ notBeforeSeconds: 3600 }),
      'the wrong audience': await mint({ audience: 'https://api.other.example' }),
      'the wrong issuer': await mint({ issuer: 'https://evil.example/' }),
      'a kid not in the JWKS': await mint({ kid: 'not-published' }),
      'no kid': await mint({ omit: ['kid'] }),
      'no exp': await mint({ omit: ['exp'] }),
      'iat in the future': await mint({ issuedAtOffsetSeconds: 3600 }),
    };
    roles = {
      user: await stack.mintToken({ sub: `auth0|matrix-user-${randomUUID()}` }),
      // A user linked to an active partner: what partner routes check (not a token claim).
      partner: (await seedActivePartner(stack, { sub: `auth0|matrix-partner-${randomUUID()}` })).token,
      admin: await stack.mintToken({ sub: `auth0|matrix-admin-${randomUUID()}`, permissions: ['admin'] }),
    };
    if (guarded.length > 0) {
      // An admin's key: what a key may reach never comes from its owner's permissions.
      const every = await newKey(undefined, ['admin']);
      const expired = await newKey({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
      await stack.table.doc.send(
        new UpdateCommand({
          TableName: stack.table.tableName,
          Key: { pk: `APIKEY#${hashApiKeyToken(expired.token)}`, sk: 'APIKEY' },
          UpdateExpression: 'SET expiresAt = :past',
          ExpressionAttributeValues: { ':past': new Date(Date.now() - 60_000).toISOString() },
        }),
      );
      const deleted = await newKey();
      expect((await stack.call('DELETE', `/v1/me/api-keys/${deleted.keyId}`, { token: deleted.owner })).status).toBe(204);
      keys = { every: every.token, expired: expired.token, deleted: deleted.token };
    }
  });

  it(opts.guarded ? 'has guarded routes to check' : 'has no guarded routes (public routes and webhooks only)', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(guarded.length > 0).toBe(opts.guarded);
  });

  if (guarded.length > 0) describe('forged and misused credentials', () => {

    const cases = guarded.flatMap((r) =>
      Object.keys(forgedNames).map(
        (what) => [r.name, what, r] as const,
      ),
    );
    it.each(cases)('%s with %s → 401 (from the gateway, or the function on routes that check the bearer themselves), nothing changed', async (_name, what, r) => {
      const before = await settle(stack);
      const token = forged[what];
      const res = await send(r, token === undefined ? undefined : `Bearer ${token}`);
      expectUnauthorized(r, res);
      await expectUnchanged(stack, before, `${r.name} with ${what}`);
    });

    it.each(guarded.map((r) => [r.name, r] as const))('%s with two Authorization headers (admin, then customer) → 401', async (_name, r) => {
      // fetch would join repeated headers into one; a raw request sends them as two lines, as curl -H twice does.
      const url = new URL(stack.apiUrl);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () =>
          socket.write(
            `${r.method} ${requestFor(r).path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${roles.admin}\r\nAuthorization: Bearer ${roles.user}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
          ),
        );
        let data = '';
        socket.on('data', (c) => (data += c.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    });

    it.each(guarded.map((r) => [r.name, r] as const))('%s: a lower-case bearer scheme is the same scheme (RFC 7235)', async (_name, r) => {
      const res = await send(r, `bearer ${await roleToken(r, 'admin')}`);
      expect(res.status).not.toBe(401);
    });
  });

  if (guarded.length > 0) describe('API keys', () => {
    const refusedByGateway = guarded.filter((r) => !checksBearerInFunction(r));
    if (refusedByGateway.length > 0) {
      it.each(refusedByGateway.map((r) => [r.name, r] as const))('%s with a key of every scope → 401 from the gateway (it takes no key), nothing changed', async (_name, r) => {
        const before = await settle(stack);
        const res = await send(r, `Bearer ${keys.every}`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: 'Unauthorized' });
        await expectUnchanged(stack, before, `${r.name} with a key`);
      });
    }
    // Admin routes check the bearer themselves: a key, even one whose owner is an admin, is told it is not accepted.
    const refusedByFunction = guarded.filter((r) => checksBearerInFunction(r) && !acceptsApiKeys(r));
    if (refusedByFunction.length > 0) {
      it.each(refusedByFunction.map((r) => [r.name, r] as const))('%s with a key of every scope, made by an admin → 403 api-key-not-accepted, nothing changed', async (_name, r) => {
        const before = await settle(stack);
        for (const key of [keys.every, keys.expired, keys.deleted]) {
          const res = await send(r, `Bearer ${key}`);
          expect(res.status).toBe(403);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(res.body.type).toBe('urn:fonella:problem:api-key-not-accepted');
        }
        await expectUnchanged(stack, before, `${r.name} with a key`);
      });
    }
    if (takeKeys.length > 0) {
      const scopeCases = takeKeys.flatMap((r) => API_KEY_SCOPES.map((scope) => [r.name, scope, r] as const));
      it.each(scopeCases)('%s with a %s key', async (_name, scope, r) => {
        const key = await newKey({ scopes: [scope] });
        const before = await settle(stack);
        const res = await send(r, `Bearer ${key.token}`);
        if (r.apiKeyScopes!.includes(scope)) {
          // Let in as its owner's portal token would be: the route's success, or what it declares for the caller's state.
          const declared = ((res.status === 403 || res.status === 404 || res.status === 409) && (r.errors ?? []).some((e) => e.status === res.status)) || declaredRefusal(r, res.status, res.body);
          expect(res.status === r.response.status || declared, `${res.status} ${JSON.stringify(res.body)}`).toBe(true);
          expect(res.headers.get('ratelimit')).toMatch(/^"per-key";r=\d+;t=\d+$/);
        } else {
          expect(res.status).toBe(403);
          expect(res.body.type).toBe('urn:fonella:problem:insufficient-scope');
          for (const s of r.apiKeyScopes!) expect(res.body.detail).toContain(`\`${s}\``);
          await expectUnchanged(stack, before, `${r.name} with a ${scope} key`);
        }
      });
      const badKeys = takeKeys.flatMap((r) =>
        [
          ['expired', 'api-key-expired'],
          ['deleted', 'api-key-invalid'],
        ].map(([what, slug]) => [r.name, what!, slug!, r] as const),
      );
      it.each(badKeys)('%s with an %s key → 401 %s, nothing changed', async (_name, what, slug, r) => {
        const before = await settle(stack);
        const res = await send(r, `Bearer ${keys[what as 'expired' | 'deleted']}`);
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.body.type).toBe(`urn:fonella:problem:${slug}`);
        await expectUnchanged(stack, before, `${r.name} with an ${what} key`);
      });
    }
  });

  const roleCases = all
    .filter((r) => admits[r.access])
    .flatMap((r) => (['user', 'partner', 'admin'] as const).map((role) => [r.name, role, r] as const));
  if (roleCases.length > 0) describe('each role against each route', () => {
    const cases = roleCases;
    it.each(cases)('%s as %s', async (_name, role, r) => {
      const before = await settle(stack);
      const res = await send(r, `Bearer ${await roleToken(r, role)}`);
      if (admits[r.access]!.includes(role)) {
        // Let in: the route's success, or a 403, 404 or 409 it declares for the caller's state (no such call of theirs, no
        // subscription to change, another user's resource), a refusal it declares for what the body names (an unknown
        // invite), or, where the route requires query parameters this request does not carry, the 400 naming only those.
        const declared =
          ((res.status === 403 || res.status === 404 || res.status === 409) && (r.errors ?? []).some((e) => e.status === res.status)) ||
          declaredRefusal(r, res.status, res.body);
        const queryOnly =
          res.status === 400 && r.request?.query !== undefined && (res.body.errors ?? []).length > 0 && res.body.errors.every((e: { path: string }) => e.path.startsWith('query.'));
        expect(res.status === r.response.status || declared || queryOnly, `${res.status} ${JSON.stringify(res.body)}`).toBe(true);
      } else {
        expect(res.status).toBe(403);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.body.type).toBe(r.access === 'admin' ? 'urn:fonella:problem:admin-required' : 'urn:fonella:problem:partner-required');
        await expectUnchanged(stack, before, `${r.name} as ${role}`);
      }
    });

    if (opts.todo) it.todo('another user on a resource id of the first: needs the first route with a caller-owned path parameter');
  });

  if (webhooks.length > 0) describe('webhooks', () => {
    const vapiSecret = () => stack.credentials.vapi?.webhookSecret ?? '';
    const stripeSecret = () => stack.credentials.stripe?.webhookSecret ?? '';
    const stripeSig = (body: string, secret: string, t = Math.floor(Date.now() / 1000)) =>
      `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

    // Headers are made when a case runs: the stack (and its secrets) exists only then.
    const refusals = webhooks.flatMap((r) => {
      const body = JSON.stringify(requestFor(r).body ?? {});
      const jambonzSecret = () => stack.credentials.jambonz?.webhookSecret ?? '';
      const cases: [string, string, RouteDef, () => Record<string, string>, string][] =
        r.access === 'jambonz'
          ? [
              [r.name, 'no signature', r, () => ({}), body],
              [r.name, 'a signature with the wrong secret', r, () => ({ 'jambonz-signature': signJambonzBody(body, 'not-the-webhook-secret') }), body],
              [r.name, 'a stale timestamp', r, () => ({ 'jambonz-signature': signJambonzBody(body, jambonzSecret(), Math.floor(Date.now() / 1000) - 3600) }), body],
              [r.name, 'a tampered body', r, () => ({ 'jambonz-signature': signJambonzBody(body, jambonzSecret()) }), `${body} `],
            ]
          : r.access === 'vapi'
          ? [
              [r.name, 'no secret', r, () => ({}), body],
              [r.name, 'a wrong secret', r, () => ({ 'x-vapi-secret': 'wrong' }), body],
            ]
          : [
              [r.name, 'no signature', r, () => ({}), body],
              [r.name, 'a signature with the wrong secret', r, () => ({ 'stripe-signature': stripeSig(body, 'whsec_wrong') }), body],
              [r.name, 'a stale timestamp', r, () => ({ 'stripe-signature': stripeSig(body, stripeSecret(), Math.floor(Date.now() / 1000) - 3600) }), body],
              [r.name, 'a tampered body', r, () => ({ 'stripe-signature': stripeSig(body, stripeSecret()) }), `${body} `],
            ];
      return cases;
    });
    // Vapi's and jambonz's refusal is 401; Stripe's is 400 `webhook-signature`, as Stripe's guide answers a bad signature.
    it.each(refusals)('%s with %s → refused (Vapi and jambonz 401, Stripe 400), nothing changed', async (_name, what, r, headersOf, body) => {
      const headers = headersOf();
      const before = await settle(stack);
      const res = await stack.call(r.method, r.path, { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
      expect(res.status, what).toBe(r.access === 'stripe' ? 400 : 401);
      if (r.access === 'stripe') expect(res.body.type).toBe('urn:fonella:problem:webhook-signature');
      await expectUnchanged(stack, before, `${r.name} with ${what}`);
    });

    it.each(webhooks.filter((r) => r.access === 'vapi').map((r) => [r.name, r] as const))('%s with the right secret is let in', async (_name, r) => {
      const res = await stack.call(r.method, r.path, { body: requestFor(r).body ?? {}, headers: { 'x-vapi-secret': vapiSecret() } });
      expect(res.status).not.toBe(401);
    });
  });
}

/** A route's answer to a credential it refuses: API Gateway's own 401, or the function's on a route that checks its bearer itself. */
function expectUnauthorized(r: RouteDef, res: { status: number; headers: Headers; body: { type?: string; message?: string } }) {
  expect(res.status).toBe(401);
  if (checksBearerInFunction(r)) {
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:fonella:problem:unauthorized');
  } else {
    expect(res.body).toEqual({ message: 'Unauthorized' });
  }
}

/** A new account and a key of it (`body`: the key's scopes and expiry), made with the account's portal token. */
async function newKey(body: { scopes?: ApiKeyScope[]; expiresAt?: string } = {}, permissions: string[] = []) {
  const owner = await stack.mintToken({ sub: `auth0|matrix-key-${randomUUID()}`, permissions });
  const res = await stack.call('POST', '/v1/me/api-keys', { token: owner, body: { name: 'Matrix', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { owner, token: res.body.token as string, keyId: res.body.keyId as string };
}
