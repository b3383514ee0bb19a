// The DynamoDB document client of a function, created once per cold start from the table config.
//
// Every call is bounded: a connection must open within 1 s and an attempt must be answered within
// 2 s, and a failed attempt is retried once. One call so gives up after about 4.2 s, so even a
// request that meets a hung table twice (its write, then the idempotency record's clean-up) answers
// inside the 10 s function timeout (functionTimeoutSeconds in shared/http/route-def.ts). What the
// table does not answer, refuses or throttles becomes a TableUnavailableError (503 with Retry-After)
// right here, the one place every table call passes, repositories and idempotency records alike.
//
// So does a failed condition on a write sent again after an attempt that ended unclearly (its answer
// came too late, the connection broke, a 5xx): the table may have applied that attempt, and the retry
// then found the row changed by it. Nothing here can tell which, so it is not passed on as the
// condition's answer ("someone was first", "already done"); after a throttled or refused attempt it
// is. A write whose own retry should pass says so in its condition (shared/db/subscriptions.ts
// `claim`, `complete`). A transaction's retry carries the same ClientRequestToken, which the table
// answers as the first (or, while the first still runs, with TransactionInProgressException: 503).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config/table';
import { TableUnavailableError } from '../errors';
import { isConditionFailure } from './conditional';

export interface TableRef {
  doc: DynamoDBDocumentClient;
  /** The client under `doc`. */
  client: DynamoDBClient;
  tableName: string;
}

/** Timeouts and retries of every table client (the outage test reads them). */
export const TABLE_CLIENT_LIMITS = {
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  /** The first attempt and one retry. */
  maxAttempts: 2,
} as const;

let cached: TableRef | undefined;
const observers = new Set<(client: DynamoDBClient) => void>();

/**
 * Local tooling only, never set on Lambda: `hook` sees every client `tableRef` creates from now on
 * (the bench adds a middleware that counts table round trips, the local runtime one that traces each
 * invocation's commands); the answer removes it. It imports nothing: a bundle grows by a few bytes.
 */
export function observeDynamoClients(hook: (client: DynamoDBClient) => void): () => void {
  observers.add(hook);
  return () => void observers.delete(hook);
}

export function table(): TableRef {
  if (!cached) {
    const c = tableConfig();
    cached = tableRef({ tableName: c.tableName, endpoint: c.endpoint, region: c.region });
  }
  return cached;
}

/**
 * A table reference from explicit settings (tests, the local runtime). `requestTimeoutMs` is for local
 * tooling only (a test's or the local stack's own reads and seeding, on a DynamoDB Local that a slow
 * machine may keep waiting longer than a function would wait); functions keep TABLE_CLIENT_LIMITS.
 */
export function tableRef(opts: { tableName: string; endpoint?: string; region?: string; requestTimeoutMs?: number }): TableRef {
  const client = new DynamoDBClient({
    region: opts.region ?? 'eu-central-1',
    maxAttempts: TABLE_CLIENT_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: TABLE_CLIENT_LIMITS.connectionTimeoutMs,
      requestTimeout: opts.requestTimeoutMs ?? TABLE_CLIENT_LIMITS.requestTimeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...(opts.endpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep the local stack independent of ~/.aws.
        { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  // Each attempt, inside the retries: one that ended without telling whether the table applied it.
  const unclear = new WeakSet<object>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (mayHaveApplied(err)) unclear.add(context);
        throw err;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'fonellaUnclearAttempt', override: true },
  );
  // Outermost step: it sees the error the retries gave up on.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isTableOutage(err) || (isConditionFailure(err) && unclear.has(context))) throw new TableUnavailableError(context.commandName ?? 'command', { cause: err });
        throw err;
      }
    },
    { step: 'initialize', name: 'fonellaTableUnavailable', override: true },
  );
  for (const observe of observers) observe(client);
  return {
    tableName: opts.tableName,
    client,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// TransactionInProgressException: a transaction's retry reached the table while its first attempt was
// still running there (the same ClientRequestToken); try it again later.
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TransactionInProgressException']);

/**
 * An attempt that ended without an answer from the table once the request may have reached it: its
 * answer came too late, the connection broke, or the table failed (5xx). One that was refused a
 * connection or throttled was not applied, and a failed condition on its retry is a real answer.
 */
function mayHaveApplied(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'TimeoutError') return true;
  if (e.code && ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT'].includes(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * A failure of the table itself, not of the request: no answer in time, no connection, throttled,
 * or a 5xx. Service errors about the request (a failed condition, a validation error) stay as they are.
 */
export function isTableOutage(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'TimeoutError') return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.name && THROTTLING.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}
