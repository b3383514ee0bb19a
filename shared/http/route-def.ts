// The shape of one entry of the route manifest (lib/routes/). Kept apart from the manifest so
// CDK, the local server and the OpenAPI generator share one type.
import type * as z from '../zod';
import type { ProviderName } from '../errors';

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
   * every route (lib/openapi.ts derives those): each status with its `type` slugs and when it happens.
   */
  errors?: {
    status: number;
    slugs: string[];
    description: string;
    /** The answer carries Retry-After: what its seconds mean. */
    retryAfter?: string;
  }[];
  /**
   * Honour the Idempotency-Key header (shared/http/middleware/idempotency.ts): for POST routes that
   * create something. The same key and request get the first answer again; the records live in the
   * table, so the route must use it for 'write'.
   */
  idempotent?: true;
  /**
   * Authenticated routes are refused for a caller whose account is being (409) or was deleted (410):
   * the stack reads the caller's teardown record first (shared/http/middleware/account-gate.ts). A
   * handler that reads the caller's whole partition anyway may check the record found there instead.
   */
  accountState?: 'in-partition-query';
  /** What the function touches: drives its grants, its environment and its bundle floor. */
  uses: {
    table?: 'read' | 'write';
    providers?: ProviderName[];
    /** The KMS key of partners' bank details: seal them ('encrypt') or also open them ('decrypt'). */
    payoutKey?: 'encrypt' | 'decrypt';
  };
}


/** Routes API Gateway guards with the Auth0 JWT authorizer; webhooks prove themselves in the function. */
export const needsAuthorizer = (r: Pick<RouteDef, 'access'>) =>
  r.access === 'user' || r.access === 'partner' || r.access === 'admin';

/** The function's timeout: longer where it waits on a provider. CDK sets it; the local API enforces it. */
export const functionTimeoutSeconds = (r: Pick<RouteDef, 'uses'>) => (r.uses.providers?.length ? 20 : 10);
