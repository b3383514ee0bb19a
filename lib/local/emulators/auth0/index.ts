// Auth0 emulator. For the API's authorizer: the tenant's JWKS and RS256 access tokens minted for
// local users (`POST /_token`, what `npm run token` calls). For the Management API adapter: the
// client-credentials token endpoint and GET/DELETE /api/v2/users/{id}.
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import * as z from 'zod';
import { Router, bearer, json, type EmulatorDefinition } from '../kit';

export interface Auth0User {
  user_id: string;
  email: string;
  email_verified: boolean;
  name?: string;
  created_at: string;
}

export interface Auth0EmulatorOptions {
  /** The API identifier our tokens are minted for. */
  audience?: string;
  clientId?: string;
  clientSecret?: string;
  /** The tenant domain the Management API client is configured with (it asks for https://<domain>/api/v2/). */
  domain?: string;
}

export interface Auth0Emulator extends EmulatorDefinition {
  users: Auth0User[];
  /** Mints an access token for the API, as Auth0 would after a user signs in. */
  mintToken(input: MintInput): Promise<string>;
  addUser(user: Omit<Auth0User, 'created_at' | 'email_verified'> & { email_verified?: boolean }): Auth0User;
  issuer(): string;
  ready: Promise<void>;
}

const mintSchema = z.strictObject({
  sub: z.string().min(1),
  email: z.email().optional(),
  name: z.string().optional(),
  permissions: z.array(z.string()).default([]),
  expiresInSeconds: z.number().int().min(-86400).max(7 * 86400).default(3600),
  audience: z.string().optional(),
  // For the auth matrix: tokens a real tenant would not issue, signed with the tenant's own key.
  notBeforeSeconds: z.number().int().min(1).max(86400).optional(),
  issuer: z.string().optional(),
  kid: z.string().optional(),
  omit: z.array(z.enum(['kid', 'exp'])).optional(),
  issuedAtOffsetSeconds: z.number().int().min(-86400).max(86400).optional(),
});
export type MintInput = z.input<typeof mintSchema>;

export const AUTH0_LOCAL_DEFAULTS = {
  audience: 'https://api.fonella.local',
  domain: 'fonella-local.eu.auth0.com',
  clientId: 'local-m2m-client',
  clientSecret: 'local-m2m-secret',
};

export function createAuth0Emulator(opts: Auth0EmulatorOptions = {}): Auth0Emulator {
  const audience = opts.audience ?? AUTH0_LOCAL_DEFAULTS.audience;
  const clientId = opts.clientId ?? AUTH0_LOCAL_DEFAULTS.clientId;
  const clientSecret = opts.clientSecret ?? AUTH0_LOCAL_DEFAULTS.clientSecret;
  const domain = opts.domain ?? AUTH0_LOCAL_DEFAULTS.domain;
  const kid = `local-${randomUUID().slice(0, 8)}`;
  const users: Auth0User[] = [];
  const managementTokens: { issuedAt: string; clientId: string }[] = [];
  const deletedUsers: string[] = [];
  let baseUrl = 'http://127.0.0.1';
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  let publicKey: CryptoKey;

  const ready = generateKeyPair('RS256').then(async (pair) => {
    privateKey = pair.privateKey;
    publicKey = pair.publicKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  });

  const issuer = () => `${baseUrl}/`;
  // The real client asks for https://<domain>/api/v2/; a client pointed at the emulator's own origin may ask for that.
  const managementAudiences = () => [`https://${domain}/api/v2/`, `${baseUrl}/api/v2/`];

  async function sign(
    claims: Record<string, unknown>,
    sub: string,
    aud: string,
    expiresIn: number,
    forge: { notBeforeSeconds?: number; issuer?: string; kid?: string; omit?: ('kid' | 'exp')[]; issuedAtOffsetSeconds?: number } = {},
  ) {
    await ready;
    const now = Math.floor(Date.now() / 1000);
    const omit = new Set(forge.omit);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', ...(omit.has('kid') ? {} : { kid: forge.kid ?? kid }), typ: 'JWT' })
      .setIssuer(forge.issuer ?? issuer())
      .setSubject(sub)
      .setAudience(aud)
      .setIssuedAt(now + (forge.issuedAtOffsetSeconds ?? 0));
    if (!omit.has('exp')) jwt.setExpirationTime(now + expiresIn);
    if (forge.notBeforeSeconds) jwt.setNotBefore(now + forge.notBeforeSeconds);
    return jwt.sign(privateKey);
  }

  async function mintToken(input: MintInput) {
    const m = mintSchema.parse(input);
    const claims: Record<string, unknown> = { permissions: m.permissions, scope: 'openid profile email' };
    // Auth0 puts profile data in access tokens only through namespaced custom claims.
    if (m.email) claims['https://fonella.app/email'] = m.email;
    if (m.name) claims['https://fonella.app/name'] = m.name;
    return sign(claims, m.sub, m.audience ?? audience, m.expiresInSeconds, m);
  }

  async function managementCaller(req: Request): Promise<boolean> {
    const token = bearer(req);
    if (!token) return false;
    await ready;
    try {
      await jwtVerify(token, publicKey, { issuer: issuer(), audience: managementAudiences() });
      return true;
    } catch {
      return false;
    }
  }
  const unauthorized = () =>
    json({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } }, 401);
  const noUser = () =>
    json({ statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' }, 404);

  const routes = new Router()
    .get('/.well-known/jwks.json', async () => {
      await ready;
      return json({ keys: [publicJwk] });
    })
    .get('/.well-known/openid-configuration', () =>
      json({ issuer: issuer(), jwks_uri: `${baseUrl}/.well-known/jwks.json`, token_endpoint: `${baseUrl}/oauth/token` }),
    )
    .post('/_token', async ({ req }) => {
      const parsed = mintSchema.safeParse(await req.json().catch(() => undefined));
      if (!parsed.success) return json({ error: 'invalid_request', issues: parsed.error.issues }, 400);
      return json({ access_token: await mintToken(parsed.data), token_type: 'Bearer' });
    })
    .post('/oauth/token', async ({ req }) => {
      const type = req.headers.get('content-type') ?? '';
      const raw = await req.text();
      const form: Record<string, string> = type.includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
      if (form.grant_type !== 'client_credentials') {
        return json({ error: 'unsupported_grant_type', error_description: 'Unsupported grant type' }, 403);
      }
      if (form.client_id !== clientId || form.client_secret !== clientSecret) {
        return json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
      }
      if (!form.audience || !managementAudiences().includes(form.audience)) {
        return json({ error: 'access_denied', error_description: `Service not found: ${form.audience}` }, 403);
      }
      managementTokens.push({ issuedAt: new Date().toISOString(), clientId });
      const access_token = await sign(
        { scope: 'read:users delete:users', gty: 'client-credentials' },
        `${clientId}@clients`,
        form.audience,
        86400,
      );
      return json({ access_token, expires_in: 86400, token_type: 'Bearer', scope: 'read:users delete:users' });
    })
    .get('/api/v2/users/:id', async ({ req, params }) => {
      if (!(await managementCaller(req))) return unauthorized();
      const user = users.find((u) => u.user_id === params.id);
      return user ? json(user) : noUser();
    })
    .delete('/api/v2/users/:id', async ({ req, params }) => {
      if (!(await managementCaller(req))) return unauthorized();
      const i = users.findIndex((u) => u.user_id === params.id);
      // Auth0 answers 204 for an unknown id too: deleting is idempotent there.
      if (i >= 0) {
        users.splice(i, 1);
        deletedUsers.push(params.id!);
      }
      return new Response(null, { status: 204 });
    });

  return {
    name: 'auth0',
    credentials: { clientId, clientSecret, audience, domain },
    env: (url) => ({
      AUTH0_DOMAIN: domain,
      AUTH0_ISSUER: `${url}/`,
      AUTH0_AUDIENCE: audience,
      AUTH0_MANAGEMENT_URL: url,
      AUTH0_CLIENT_ID: clientId,
      AUTH0_CLIENT_SECRET: clientSecret,
    }),
    routes,
    users,
    ready,
    mintToken,
    issuer,
    addUser(u) {
      const user: Auth0User = { email_verified: true, created_at: new Date().toISOString(), ...u };
      const i = users.findIndex((x) => x.user_id === u.user_id);
      if (i >= 0) users.splice(i, 1);
      users.push(user);
      return user;
    },
    onListen(url) {
      baseUrl = url;
    },
    inspect: () => ({ users, deletedUsers, managementTokens, jwks: publicJwk ? [publicJwk] : [] }),
    reset() {
      users.length = 0;
      deletedUsers.length = 0;
      managementTokens.length = 0;
    },
  };
}
