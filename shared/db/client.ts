// The DynamoDB document client of a function, created once per cold start from the table config.
//
// Every call is bounded: a connection must open within 1 s and an attempt must be answered within
// 2 s, and a failed attempt is retried once. One call so gives up after about 4.2 s, so even a
// request that meets a hung table twice (its write, then the idempotency record's clean-up) answers
// inside the 10 s function timeout (functionTimeoutSeconds in shared/http/route-def.ts). What the
// table does not answer, refuses or throttles becomes a TableUnavailableError (503 with Retry-After)
// right here, the one place every table call passes, repositories and idempotency records alike.
//
// So does a failed condition on a write that was sent again: the first attempt's answer came too
// late, but the table may have applied it, and the retry then found the row changed by its own first
// attempt. Nothing here can tell which, so it is not passed on as the condition's answer ("someone was
// first", "already done"). A write whose own retry should pass says so in its condition
// (shared/db/subscriptions.ts `claim`, `complete`); a transaction is safe as it is (the SDK sends its
// ClientRequestToken again, and the table answers a repeat as the first).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config/table';
import { TableUnavailableError } from '../errors';

export interface TableRef {
  doc: DynamoDBDocumentClient;
  /** The client under `doc` (the idempotency records' persistence layer shares it). */
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

/** A table reference from explicit settings (tests, the local runtime). */
export function tableRef(opts: { tableName: string; endpoint?: string; region?: string }): TableRef {
  const client = new DynamoDBClient({
    region: opts.region ?? 'eu-central-1',
    maxAttempts: TABLE_CLIENT_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: TABLE_CLIENT_LIMITS.connectionTimeoutMs,
      requestTimeout: TABLE_CLIENT_LIMITS.requestTimeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...(opts.endpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep the local stack independent of ~/.aws.
        { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  // Outermost step: it sees the error the retries gave up on.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isTableOutage(err) || isRetriedConditionFailure(err)) throw new TableUnavailableError(context.commandName ?? 'command', { cause: err });
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
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/** A failed condition on the retry of a write (shared/db/client.ts, above): no answer about the condition. */
export function isRetriedConditionFailure(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { attempts?: number } } | null;
  return e?.name === 'ConditionalCheckFailedException' && (e.$metadata?.attempts ?? 1) > 1;
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
