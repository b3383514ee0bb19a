// The shape of one entry of the route manifest (lib/routes/). Kept apart from the manifest so
// CDK, the local server and the OpenAPI generator share one type.
//
// Also the shape of what the document says a route can answer (`ProblemAnswer`): each middleware of
// the stack declares its own beside the code that throws them (`answers(def)` in ./middleware/*.ts),
// this file those of what a route uses (`answers` below), and a manifest entry its handler's
// (`errors`); lib/openapi.ts joins them into the operation's error responses.
import type * as z from '../zod';
import type { ApiKeyScope } from '../model/api-keys';
import { KeyServiceUnavailableError, TableUnavailableError, providerSlugs, type ProviderName } from '../errors';

export type Access = 'public' | 'user' | 'partner' | 'admin' | 'vapi' | 'stripe' | 'jambonz';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  /** The operation id; equals the route's key in the manifest. */
  name: string;
  method: Method;
  /** API Gateway path, parameters in braces: /v1/me/calls/{callId}. */
  path: `/v1/${string}`;
  /** The Lambda entry, relative to the repository root. */
  handler: `functions/${string}.ts`;
  access: Access;
  summary: string;
  description?: string;
  tags: string[];
  request?: {
    body?: z.ZodMiniType;
    query?: z.ZodMiniType;
    params?: z.ZodMiniType;
    /** Overrides the configured body bound (MAX_BODY_BYTES). */
    maxBodyBytes?: number;
    /** Keep the raw body (signature checks); the body is then not parsed as JSON by the stack. */
    raw?: boolean;
  };
  response: {
    status: 200 | 201 | 202 | 204;
    body?: z.ZodMiniType;
    description: string;
    /** Another success status the handler answers with the same body, and when (e.g. 200 for a repeat of a 201). */
    also?: { status: 200 | 201 | 202; description: string };
  };
  /**
   * Failures the handler itself answers as problem+json, beyond those the stack and API Gateway give
   * every route (their `answers`, which lib/openapi.ts reads): each status with its `type` slugs and
   * when it happens.
   */
  errors?: ProblemAnswer[];
  /**
   * Honour the Idempotency-Key header (shared/http/middleware/idempotency.ts): for POST routes that
   * create something. The same key and request get the first answer again; the records live in the
   * table, so the route must use it for 'write'.
   */
  idempotent?: true;
  /**
   * Packages the handler imports only dynamically, for some of its requests: left out of its bundle
   * and installed beside it, so that its cold start does not read them (lib/bundling.ts
   * `deferredPackages`; an idempotent route defers Powertools idempotency without naming it).
   */
  loadsOnDemand?: readonly 'libphonenumber-js'[];
  /**
   * Authenticated routes are refused for a caller whose account is being (409) or was deleted (410):
   * the stack reads the caller's teardown record first (shared/http/middleware/account-gate.ts). A
   * handler that reads rows of the caller anyway checks the record in that first read instead (a
   * strongly consistent Query of the caller's partition, which holds it, or a strongly consistent
   * BatchGetItem with the record's key beside the route's own: shared/db/get-items.ts), and the stack
   * skips its GetItem: the portal's routes that read the caller's rows, the hotline and organisation
   * routes, the partner portal's. Its refusal then comes after validation (a closed account's invalid
   * body or query gets 400), and never on an idempotent route (its record would be written first;
   * refused at cold start).
   */
  accountState?: 'in-partition-read';
  /**
   * The API key scopes that reach this route (any one of them): `Authorization: Bearer fon_live_…`
   * then works here as the portal's token does, for the key's owner (shared/http/middleware/credentials.ts).
   * Only `user` routes may name scopes (a key never reaches admin, partner or webhook routes). A route
   * without them refuses keys: API Gateway's JWT authorizer answers a key 401, as any token that is no
   * JWT, and an admin route (no authorizer: `checksBearerInFunction`) 403 `api-key-not-accepted`. A
   * route with them has no authorizer on AWS (it would refuse every key): its stack verifies the JWT
   * itself, with the authorizer's checks, or the key.
   */
  apiKeyScopes?: readonly ApiKeyScope[];
  /** What the function touches: drives its grants, its environment and its bundle floor. */
  uses: {
    table?: 'read' | 'write';
    providers?: ProviderName[];
    /** The KMS key of partners' bank details: seal them ('encrypt') or also open them ('decrypt'). */
    payoutKey?: 'encrypt' | 'decrypt';
    /** The KMS key of the signing secrets we hold for customers (custom tools'): seal them or also open them. */
    signingKey?: 'encrypt' | 'decrypt';
    /** The webhook attempts' queue (shared/queues/webhook-queue.ts): sends to it. */
    webhookQueue?: 'send';
    /** The data exports' bucket: make download links of its files ('read'), or also write and delete them ('write'). */
    exportsBucket?: 'read' | 'write';
  };
  /**
   * The function's timeout in seconds, where it must outlast something slower than a provider call
   * (the vapi webhook waits on customers' tools); otherwise `functionTimeoutSeconds` decides.
   */
  timeoutSeconds?: number;
}

/**
 * One answer the document lists for a route: a status, its problem types and when it is given.
 * Answers of one status become one response, their descriptions joined in the order lib/openapi.ts
 * reads them.
 */
export interface ProblemAnswer {
  status: number;
  /** Its problem types, `urn:fonella:problem:<slug>`. */
  slugs: string[];
  /** When it is given, as the document says it. */
  description: string;
  /** Opens the response's description when no answer before it has its status: `Conflict`. */
  title?: string;
  /** The answer carries Retry-After: what its seconds mean. */
  retryAfter?: string;
  /** Other headers it carries, by name: what each says. */
  headers?: Record<string, string>;
}

/**
 * What a route's `uses` can answer, whichever step meets it: a provider's failure (ProviderError,
 * shared/errors.ts), the key service giving no data key (shared/crypto/envelope.ts), the table not
 * answering in time (shared/db/client.ts, retries included).
 */
export function answers(def: Pick<RouteDef, 'uses' | 'idempotent'>): ProblemAnswer[] {
  const out: ProblemAnswer[] = [];
  const code = (slugs: string[]) => slugs.map((s) => `\`${s}\``).join(', ');
  if (def.uses.providers?.length) {
    out.push(
      { status: 502, slugs: providerSlugs(502), description: `A provider failed: ${code(providerSlugs(502))}. \`detail\` names the provider and its operation.` },
      { status: 503, slugs: providerSlugs(503), description: `A provider's rate limit was reached: ${code(providerSlugs(503))}.`, retryAfter: 'Seconds to wait, when the provider said.' },
    );
  }
  // A route that only opens a signing secret (the vapi webhook) answers without it when KMS fails.
  if (def.uses.payoutKey || def.uses.signingKey === 'encrypt') {
    const slug = new KeyServiceUnavailableError().slug;
    out.push({
      status: 503,
      title: 'Service unavailable',
      slugs: [slug],
      description: `\`${slug}\`: the key service did not answer; nothing was stored. Retry after \`Retry-After\` seconds.`,
      retryAfter: 'Seconds to wait before retrying.',
    });
  }
  if (def.uses.table) {
    const slug = new TableUnavailableError('probe').slug;
    const retry = def.idempotent ? ' with the same `Idempotency-Key` (the write may have happened)' : '';
    out.push({
      status: 503,
      title: 'Service unavailable',
      slugs: [slug],
      description: `\`${slug}\`: the table did not answer in time; retry after \`Retry-After\` seconds${retry}.`,
      retryAfter: 'Seconds to wait before retrying.',
    });
  }
  return out;
}

/** Routes with a caller: the portal's token (or, where `apiKeyScopes` say so, an API key) is required. */
export const isAuthenticated = (r: Pick<RouteDef, 'access'>) => r.access === 'user' || r.access === 'partner' || r.access === 'admin';

/** Routes an API key may reach (with one of their scopes). */
export const acceptsApiKeys = (r: Pick<RouteDef, 'apiKeyScopes'>) => (r.apiKeyScopes?.length ?? 0) > 0;

/**
 * Routes whose function checks the bearer token itself, with the checks of API Gateway's JWT authorizer
 * (shared/crypto/jwt.ts): those that take API keys (the authorizer would refuse every key), and the admin
 * routes, so that an API key sent to one is told so with a 403 `api-key-not-accepted` instead of API
 * Gateway's bare 401 (shared/http/middleware/credentials.ts).
 */
export const checksBearerInFunction = (r: Pick<RouteDef, 'access' | 'apiKeyScopes'>) => acceptsApiKeys(r) || r.access === 'admin';

/**
 * Routes API Gateway guards with the Auth0 JWT authorizer: the authenticated ones whose function does
 * not check the bearer itself. Webhooks prove themselves in the function.
 */
export const needsAuthorizer = (r: Pick<RouteDef, 'access' | 'apiKeyScopes'>) => isAuthenticated(r) && !checksBearerInFunction(r);

/** The function's timeout: longer where it waits on a provider. CDK sets it; the local API enforces it. */
export const functionTimeoutSeconds = (r: Pick<RouteDef, 'uses' | 'timeoutSeconds'>) => r.timeoutSeconds ?? (r.uses.providers?.length ? 20 : 10);
