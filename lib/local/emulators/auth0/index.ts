// Auth0 emulator. For the API's authorizer: the tenant's JWKS and RS256 access tokens minted for
// local users (`POST /_token`, what `npm run token` calls). For the Management API adapter: the
// client-credentials token endpoint and GET/DELETE /api/v2/users/{id}.
// As at Auth0, a machine client gets a Management API token only through a client grant, and the
// token carries that grant's scopes; each Management API call wants one of its scopes, else 403
// `insufficient_scope`. The local client's grant has what the adapter calls: read:users (get a user)
// and delete:users (delete one). `addClient` registers another client, e.g. one missing a scope.
// `POST /_users` adds a user, as a sign-up would (verified unless `email_verified: false`). A minted
// access token carries the profile as the tenant's Action adds it: `https://fonella.app/email`, and
// `https://fonella.app/email_verified` when `emailVerified` is given.
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

/** A machine-to-machine application and its client grant for the Management API. */
export interface Auth0Client {
  clientId: string;
  clientSecret: string;
  /** The scopes its client grant gives it on the Management API; undefined: it has no grant there. */
  scopes?: string[];
}

export interface Auth0EmulatorOptions {
  /** The API identifier our tokens are minted for. */
  audience?: string;
  clientId?: string;
  clientSecret?: string;
  /** The local client's Management API scopes; defaults to MANAGEMENT_SCOPES. */
  scopes?: string[];
  /** The tenant domain the Management API client is configured with (it asks for https://<domain>/api/v2/). */
  domain?: string;
}

export interface Auth0Emulator extends EmulatorDefinition {
  users: Auth0User[];
  /** Mints an access token for the API, as Auth0 would after a user signs in. */
  mintToken(input: MintInput): Promise<string>;
  addUser(user: Omit<Auth0User, 'created_at' | 'email_verified'> & { email_verified?: boolean }): Auth0User;
  /** Registers (or replaces) a machine client and its grant; /_reset leaves only the local client. */
  addClient(client: Auth0Client): void;
  issuer(): string;
  ready: Promise<void>;
}

const mintSchema = z.strictObject({
  sub: z.string().min(1),
  email: z.email().optional(),
  /** Whether Auth0 verified the address: the tenant's Action puts `email_verified` on the token beside it. */
  emailVerified: z.boolean().optional(),
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

const userSchema = z.strictObject({ user_id: z.string().min(1), email: z.email(), email_verified: z.boolean().optional(), name: z.string().optional() });

/** What the Management API adapter calls need: GET /api/v2/users/{id} and DELETE /api/v2/users/{id}. */
export const MANAGEMENT_SCOPES = ['read:users', 'delete:users'];

/**
 * The scopes each Management API call accepts, any one of them (Auth0's 403 lists them in this order);
 * a `:current_user` scope counts only for a token whose subject is that user, never a machine's.
 */
const REQUIRED_SCOPES = {
  getUser: ['read:users', 'read:current_user', 'read:user_idp_tokens'],
  deleteUser: ['delete:users', 'delete:current_user'],
};

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
  const localClient: Auth0Client = { clientId, clientSecret, scopes: opts.scopes ?? MANAGEMENT_SCOPES };
  const clients = new Map<string, Auth0Client>([[clientId, localClient]]);
  const kid = `local-${randomUUID().slice(0, 8)}`;
  const users: Auth0User[] = [];
  const managementTokens: { issuedAt: string; clientId: string; scope: string }[] = [];
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
    if (m.email && m.emailVerified !== undefined) claims['https://fonella.app/email_verified'] = m.emailVerified;
    if (m.name) claims['https://fonella.app/name'] = m.name;
    return sign(claims, m.sub, m.audience ?? audience, m.expiresInSeconds, m);
  }

  /** A Management API call's token checked: undefined when it is good and has one of `anyOf`, else Auth0's refusal. */
  async function refuse(req: Request, anyOf: string[], userId: string): Promise<Response | undefined> {
    const token = bearer(req);
    if (!token) return unauthorized();
    await ready;
    let claims: { scope?: unknown; sub?: string };
    try {
      claims = (await jwtVerify(token, publicKey, { issuer: issuer(), audience: managementAudiences() })).payload;
    } catch {
      return unauthorized();
    }
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    const allowed = anyOf.some((s) => granted.includes(s) && (!s.endsWith(':current_user') || claims.sub === userId));
    return allowed ? undefined : insufficientScope(anyOf);
  }
  const unauthorized = () =>
    json({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } }, 401);
  const insufficientScope = (anyOf: string[]) =>
    json(
      { statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${anyOf.join(',')}`, errorCode: 'insufficient_scope' },
      403,
    );
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
    // A user who signed up (tests, the bench): { user_id, email, email_verified?, name? }; 201 with the user.
    .post('/_users', async ({ req }) => {
      const parsed = userSchema.safeParse(await req.json().catch(() => undefined));
      if (!parsed.success) return json({ error: 'invalid_request', issues: parsed.error.issues }, 400);
      return json(api.addUser(parsed.data), 201);
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
      const client = form.client_id === undefined ? undefined : clients.get(form.client_id);
      if (!client || form.client_secret !== client.clientSecret) {
        return json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
      }
      if (!form.audience || !managementAudiences().includes(form.audience)) {
        return json({ error: 'access_denied', error_description: `Service not found: ${form.audience}` }, 403);
      }
      if (!client.scopes) {
        return json(
          {
            error: 'access_denied',
            error_description: `Client is not authorized to access "${form.audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
          },
          403,
        );
      }
      // Without `scope` the token carries the whole grant; asking for more than the grant is refused.
      const asked = form.scope ? form.scope.split(' ').filter(Boolean) : client.scopes;
      const missing = asked.filter((s) => !client.scopes!.includes(s));
      if (missing.length > 0) {
        return json({ error: 'access_denied', error_description: `Client has not been granted scopes: ${missing.join(' ')}` }, 403);
      }
      const scope = asked.join(' ');
      managementTokens.push({ issuedAt: new Date().toISOString(), clientId: client.clientId, scope });
      const access_token = await sign({ scope, gty: 'client-credentials' }, `${client.clientId}@clients`, form.audience, 86400);
      return json({ access_token, expires_in: 86400, token_type: 'Bearer', scope });
    })
    .get('/api/v2/users/:id', async ({ req, params }) => {
      const refused = await refuse(req, REQUIRED_SCOPES.getUser, params.id!);
      if (refused) return refused;
      const user = users.find((u) => u.user_id === params.id);
      return user ? json(user) : noUser();
    })
    .delete('/api/v2/users/:id', async ({ req, params }) => {
      const refused = await refuse(req, REQUIRED_SCOPES.deleteUser, params.id!);
      if (refused) return refused;
      const i = users.findIndex((u) => u.user_id === params.id);
      // Auth0 answers 204 for an unknown id too: deleting is idempotent there.
      if (i >= 0) {
        users.splice(i, 1);
        deletedUsers.push(params.id!);
      }
      return new Response(null, { status: 204 });
    });

  const api: Auth0Emulator = {
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
    addClient(client) {
      clients.set(client.clientId, { ...client, scopes: client.scopes && [...client.scopes] });
    },
    onListen(url) {
      baseUrl = url;
    },
    inspect: () => ({ users, deletedUsers, managementTokens, jwks: publicJwk ? [publicJwk] : [] }),
    reset() {
      users.length = 0;
      deletedUsers.length = 0;
      managementTokens.length = 0;
      clients.clear();
      clients.set(clientId, localClient);
    },
  };
  return api;
}
