// The credential check of the routes that check their bearer token themselves (route-def.ts
// `checksBearerInFunction`): those that take API keys as well as the portal's token (`apiKeyScopes` in
// the manifest), and the admin routes. API Gateway has no authorizer on them (its JWT authorizer would
// refuse every key with a bare 401), so their stack reads `Authorization: Bearer <token>` itself and
// asks the port it was composed with (shared/app/key-route.ts, shared/app/admin-route.ts): a JWT passes
// the checks API Gateway's authorizer makes (shared/crypto/jwt.ts); on a route that takes keys, a
// `fon_live_` key is looked up by its hash, at once and on every request, so a deleted key is refused
// from the next request on (no cache anywhere). A key must hold one of the route's scopes (403
// `insufficient-scope`, naming them), and its answers carry the IETF draft's RateLimit fields of its
// per-key limit. The caller it yields is the key's owner: the account gate and the use case see them
// as they see the portal's user (only the owner's rows). On an admin route a key is 403
// `api-key-not-accepted` before anything looks it up: a key never acts as an admin.
import type middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { API_KEY_SCOPES, API_KEY_TOKEN_PREFIX } from '../../model/api-keys';
import { isApiKeyToken } from '../../crypto/api-key-tokens';
import { ForbiddenError, InsufficientScopeError, RATE_LIMITED, UnauthorizedError, bearerChallenge, rateLimitFields, type RateWindowState } from '../../errors';
import { logger } from '../../observability/logger';
import { bearerToken, type Caller } from '../caller';
import { acceptsApiKeys, checksBearerInFunction, type ProblemAnswer, type RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

/** What the stack of a route that checks its bearer itself asks about a token. */
export interface BearerCredentials {
  /**
   * The caller a token stands for: a JWT's (undefined when it fails the authorizer's checks) or a key's
   * owner, with where the key stands in its rate limit. A key that is unknown, deleted or expired, or
   * over its limit, throws its problem (401, 429).
   */
  authenticate(token: string): Promise<{ caller: Caller; rate?: RateWindowState; ratePolicy?: string } | undefined>;
}

const PROBLEMS = { invalid: 'api-key-invalid', expired: 'api-key-expired', scope: 'insufficient-scope', notAccepted: 'api-key-not-accepted' } as const;
const CHALLENGE = 'The bearer challenge (RFC 6750): `Bearer realm="fonella"`, with `error="invalid_token"` for a token that was refused.';
const RATE_FIELDS = {
  RateLimit: 'The key\'s per-minute limit now (IETF draft RateLimit fields): `"per-key";r=<requests left>;t=<seconds until the window ends>`.',
  'RateLimit-Policy': 'The per-key limit: `"per-key";q=<requests>;w=60`.',
};

/** What the check answers (lib/openapi.ts documents it) on a route that checks its bearer itself. */
export function answers(def: Pick<RouteDef, 'apiKeyScopes' | 'access'>): ProblemAnswer[] {
  if (!checksBearerInFunction(def)) return [];
  if (!acceptsApiKeys(def)) {
    return [
      {
        status: 401,
        title: 'Unauthorized',
        slugs: ['unauthorized'],
        description: "`unauthorized`: no bearer token, or a JWT that fails the checks of API Gateway's JWT authorizer (this route has none: the function checks the token, and answers problem+json).",
        headers: { 'WWW-Authenticate': CHALLENGE },
      },
      {
        status: 403,
        title: 'Forbidden',
        slugs: [PROBLEMS.notAccepted],
        description: `\`${PROBLEMS.notAccepted}\`: an API key (\`${API_KEY_TOKEN_PREFIX}…\`): this route takes the portal's access token only. The key is not looked up; nothing changed.`,
      },
    ];
  }
  const scopes = def.apiKeyScopes!.map((s) => `\`${s}\``).join(', ');
  return [
    {
      status: 401,
      title: 'Unauthorized',
      slugs: ['unauthorized', PROBLEMS.invalid, PROBLEMS.expired],
      description: `\`unauthorized\`: no bearer token, or a JWT that fails the checks of API Gateway's JWT authorizer (this route has none: the function checks it, and answers problem+json); \`${PROBLEMS.invalid}\`: a \`fon_live_\` token no key has (never issued, or its key was deleted: from the next request on); \`${PROBLEMS.expired}\`: the key's \`expiresAt\` has passed.`,
      headers: { 'WWW-Authenticate': CHALLENGE },
    },
    {
      status: 403,
      title: 'Forbidden',
      slugs: [PROBLEMS.scope],
      description: `\`${PROBLEMS.scope}\`: an API key without ${def.apiKeyScopes!.length === 1 ? 'the scope' : 'any of the scopes'} ${scopes}; nothing changed.`,
      headers: { 'WWW-Authenticate': 'The bearer challenge naming the scopes: `Bearer realm="fonella", error="insufficient_scope", scope="…"`.' },
    },
    {
      status: 429,
      title: 'Too many requests',
      slugs: [RATE_LIMITED],
      description: `\`${RATE_LIMITED}\`: the API key made more requests this minute than its limit; nothing changed.`,
      retryAfter: 'Seconds until the key\'s minute ends.',
      headers: RATE_FIELDS,
    },
  ];
}

/** The RateLimit fields a key's answers carry (lib/openapi.ts adds them to the route's success). */
export const RATE_LIMIT_HEADERS = RATE_FIELDS;

/** The check of one route, as the stack uses it (../route.ts takes it as a port: other routes' bundles carry none of this file). */
export type CredentialCheck = (def: RouteDef) => middy.MiddlewareObj<HttpEvent, APIGatewayProxyResultV2>;

/** The bearer check of the routes that check their token themselves, asking `port` about each token (shared/app/ composes it). */
export const bearerCheck = (port: BearerCredentials): CredentialCheck => (def) => credentials(def, port);

function credentials(def: RouteDef, port: BearerCredentials): middy.MiddlewareObj<HttpEvent, APIGatewayProxyResultV2> {
  const scopes = def.apiKeyScopes ?? [];
  if (!checksBearerInFunction(def)) throw new Error(`route ${def.name} is guarded by API Gateway's JWT authorizer: it has no credential check of its own`);
  if (scopes.length > 0 && def.access !== 'user') throw new Error(`route ${def.name} names API key scopes, but a key reaches only customer routes (access user), not ${def.access}`);
  if (scopes.some((s) => !API_KEY_SCOPES.includes(s))) throw new Error(`route ${def.name} names an unknown API key scope`);

  const withRateFields = (request: middy.Request<HttpEvent, APIGatewayProxyResultV2>) => {
    const { rate, ratePolicy } = stateOf(request);
    const res = request.response;
    if (!rate || !ratePolicy || typeof res !== 'object' || res === null) return;
    res.headers = { ...rateLimitFields(ratePolicy, rate), ...res.headers };
  };

  return {
    before: async (request) => {
      const token = bearerToken(request.event.headers.authorization);
      if (!token) {
        throw new UnauthorizedError(scopes.length > 0 ? "Send the portal's access token or an API key: `Authorization: Bearer <token>`." : "Send the portal's access token: `Authorization: Bearer <token>`.", bearerChallenge());
      }
      if (scopes.length === 0 && isApiKeyToken(token)) {
        throw new ForbiddenError("API keys reach only the routes of their scopes; this route takes the portal's access token only.", PROBLEMS.notAccepted);
      }
      const found = await port.authenticate(token);
      if (!found) throw new UnauthorizedError('The bearer token is not valid.', bearerChallenge('invalid_token'));
      const state = stateOf(request);
      state.caller = found.caller;
      state.rate = found.rate;
      state.ratePolicy = found.ratePolicy;
      const key = found.caller.apiKey;
      if (key) {
        // The key's id (never its token) on every log line of the request.
        logger.appendKeys({ keyId: key.keyId });
        if (!scopes.some((s) => key.scopes.includes(s))) throw new InsufficientScopeError(scopes);
      }
    },
    after: async (request) => withRateFields(request),
    // Registered before the problem mapper, so this runs after it has made the answer.
    onError: async (request) => withRateFields(request),
  };
}
