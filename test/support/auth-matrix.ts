// The full auth matrix, generated from each route's `access` in the manifest: every forged or
// misused credential the authorizer must refuse, each role against each route, and for webhooks
// their own secret or signature. Every refusal is checked to change nothing. test/integration/
// auth-matrix-<caller>.test.ts runs it on one caller's routes each, so the workers share the work.
import fc from 'fast-check';
import { SignJWT, base64url, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../../shared/http/route-def';
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
  const guarded = all.filter((r) => r.access === 'user' || r.access === 'partner' || r.access === 'admin');
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
    it.each(cases)('%s with %s → 401 from the gateway, nothing changed', async (_name, what, r) => {
      const before = await settle(stack);
      const token = forged[what];
      const res = await send(r, token === undefined ? undefined : `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
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
