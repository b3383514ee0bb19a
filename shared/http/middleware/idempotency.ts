// Idempotency-Key on routes the manifest flags `idempotent` (POST routes that create something),
// with Powertools idempotency and its records in the single table:
// - no header: the request runs as any other;
// - a key that is not 1 to 255 printable ASCII characters: 400 `validation`, nothing stored;
// - a new key: the request runs once; its answer (status, headers, body) is stored for 24 hours;
// - the same key and the same request (body, query and path parameters, as validated): the stored
//   answer again, and nothing runs a second time (no second row, no second email);
// - the same key with another request: 422 `idempotency-key-reused`;
// - the same key while its first request still runs: 409 `idempotency-in-progress` with Retry-After.
// A key belongs to its caller: on routes with a verified caller, the caller's id is part of it; on
// anonymous requests (the public forms), the client's address (an IPv6 client by its /64,
// shared/net/client-key.ts), so one sender's key neither replays nor blocks another's request.
//
// `idempotencyKey` checks the header in the middleware chain, after access, body and validation, so
// a refused request never writes a record. `runIdempotent` then wraps the handler's work itself
// (not the middy chain): a replayed answer passes the same after-steps (CORS, access log) as the
// first, and a failure removes the in-progress record so that a retry runs again.
//
// This file loads no Powertools code: the route is given its runner (shared/app/idempotent-route.ts
// composes ./idempotency-powertools.ts with the table's records, shared/db/idempotency-records.ts).
// Only the idempotent routes' handlers import that, and it loads Powertools idempotency at the first
// request with a key.
import type middy from '@middy/core';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, ValidationError } from '../../errors';
import { clientKey } from '../../net/client-key';
import type { ProblemAnswer, RouteDef } from '../route-def';
import { stateOf, stateOfEvent, type HttpEvent } from '../state';

/** The request header, lower-cased as API Gateway's HTTP API hands headers to the function. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_MAX = 255;
/** How long a key's answer is replayed (the records' TTL): 24 hours. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** What a key must be (./validate.ts names it among the 400 `validation` answers). */
export const IDEMPOTENCY_KEY_RULE = `1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters`;
const KEY_PATTERN = new RegExp(`^[\\x20-\\x7e]{1,${IDEMPOTENCY_KEY_MAX}}$`);

/**
 * What an idempotent route answers beyond others (lib/openapi.ts documents it): the runner's
 * (./idempotency-powertools.ts) key still in use, or reused for another request.
 */
export function answers(def: Pick<RouteDef, 'idempotent'>): ProblemAnswer[] {
  if (!def.idempotent) return [];
  const inProgress = new IdempotencyInProgressError().slug;
  const reused = new IdempotencyKeyReusedError().slug;
  return [
    {
      status: 409,
      title: 'Conflict',
      slugs: [inProgress],
      description: `\`${inProgress}\`: the first request with this \`Idempotency-Key\` is still running; retry after \`Retry-After\` seconds for its answer.`,
      retryAfter: 'Seconds to wait before retrying.',
    },
    {
      status: 422,
      title: 'Unprocessable',
      slugs: [reused],
      description: `\`${reused}\`: this \`Idempotency-Key\` came with another request (body or parameters); nothing ran. Use a new key for a new request.`,
    },
  ];
}

/**
 * Body fields left out of the request an Idempotency-Key is compared with: not what the request asks
 * for, but a single-use proof that a person sent it. A reCAPTCHA token verifies once, so a retry
 * carries a new one and is still the same request (the stored answer comes back, nothing is verified
 * or written again; after a failed first attempt, the retry verifies its own token and runs).
 */
export const SINGLE_USE_BODY_FIELDS = ['recaptchaToken'] as const;

const withoutSingleUseFields = (body: unknown): unknown => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body ?? null;
  const rest = { ...(body as Record<string, unknown>) };
  for (const field of SINGLE_USE_BODY_FIELDS) delete rest[field];
  return rest;
};

/**
 * What is hashed: `key` names the record, `request` must match the one stored with it. A verified
 * caller's key is `[caller, key]`; an anonymous one's `[null, key, client]`, its client's address.
 */
export interface IdempotentPayload {
  key: [caller: string, key: string] | [caller: null, key: string, client: string];
  request: { params: unknown; query: unknown; body: unknown };
}

export type IdempotencyRunner = (input: {
  route: string;
  payload: IdempotentPayload;
  context: Context;
  exec: () => Promise<APIGatewayProxyResultV2>;
}) => Promise<APIGatewayProxyResultV2>;

const keys = new WeakMap<object, string>();

/** Reads and bounds the Idempotency-Key header of a flagged route; runs after access and validation. */
export function idempotencyKey(route: RouteDef, runner: IdempotencyRunner | undefined): middy.MiddlewareObj<HttpEvent> {
  if (!runner) {
    throw new Error(`route ${route.name} is idempotent, but was given no idempotency runner: its handler takes its route from shared/app/idempotent-route.ts`);
  }
  return {
    before: async (request) => {
      const key = request.event.headers?.[IDEMPOTENCY_HEADER];
      if (key === undefined) return;
      if (!KEY_PATTERN.test(key)) {
        throw new ValidationError([
          { path: `headers.${IDEMPOTENCY_HEADER}`, message: `Must be ${IDEMPOTENCY_KEY_RULE}.` },
        ]);
      }
      keys.set(stateOf(request), key);
    },
  };
}

/** Runs `exec` once per Idempotency-Key (see above); without a key it just runs it. */
export async function runIdempotent(
  route: RouteDef,
  runner: IdempotencyRunner | undefined,
  event: HttpEvent,
  context: Context,
  exec: () => Promise<APIGatewayProxyResultV2>,
): Promise<APIGatewayProxyResultV2> {
  const state = stateOfEvent(event);
  const key = keys.get(state);
  if (key === undefined || !runner) return exec();
  const payload: IdempotentPayload = {
    key: state.caller ? [state.caller.id, key] : [null, key, clientKey(event.requestContext.http.sourceIp)],
    request: { params: state.params, query: state.query, body: withoutSingleUseFields(state.body) },
  };
  return runner({ route: route.name, payload, context, exec });
}
