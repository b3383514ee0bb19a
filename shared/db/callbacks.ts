// Test callback requests from the marketing site: CALLBACK#<id>. The route writes the row `pending`
// before it asks the provider to call, then marks it `placed` with the provider's call id, or
// `failed` with the provider failure's slug: a row never stays half-done unless the function dies
// between the two writes (then it stays `pending`, and its TTL removes it like any other).
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallbackLocale, CallbackProvider } from '../config/callback';
import type { TableRef } from './client';
import { putIfAbsent, type PutOutcome } from './put-if-absent';

export type CallbackStatus = 'pending' | 'placed' | 'failed';

export interface CallbackRow {
  requestId: string;
  /** E.164. */
  phoneNumber: string;
  locale: CallbackLocale;
  company?: string;
  preferredWindow?: string;
  notes?: string;
  provider: CallbackProvider;
  /** The caller ID the call goes out with. */
  callerId: string;
  sourceIp: string;
  receivedAt: string;
  status: CallbackStatus;
  /** The provider's id of the call (fonial answers none). */
  providerCallId?: string;
  /** Why the provider did not place the call: the problem slug, e.g. `provider-unavailable`. */
  failure?: string;
  placedAt?: string;
  failedAt?: string;
  /** Hash of the Idempotency-Key the request came with. */
  idempotencyKeyHash?: string;
  /** When DynamoDB deletes the row (epoch seconds). */
  ttl: number;
}

export const CALLBACK_PK_PREFIX = 'CALLBACK#';

const key = (requestId: string) => ({ pk: `${CALLBACK_PK_PREFIX}${requestId}`, sk: 'CALLBACK' });

export function callbacksRepository(t: TableRef) {
  async function finish(requestId: string, set: string, values: Record<string, unknown>): Promise<void> {
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: key(requestId),
        UpdateExpression: set,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ...values },
      }),
    );
  }
  return {
    /** Stores a new request `pending`; when one with this id exists already, answers it instead. */
    async create(row: CallbackRow): Promise<PutOutcome<CallbackRow>> {
      return putIfAbsent<CallbackRow>(t, { ...key(row.requestId), entity: 'callback', ...row });
    },

    async get(requestId: string): Promise<CallbackRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(requestId), ConsistentRead: true }));
      return res.Item as CallbackRow | undefined;
    },

    /** `pending` → `placed`, with the provider's call id when it gave one. */
    markPlaced: (requestId: string, providerCallId: string | undefined, at: string) =>
      providerCallId === undefined
        ? finish(requestId, 'SET #status = :placed, placedAt = :at', { ':placed': 'placed', ':at': at })
        : finish(requestId, 'SET #status = :placed, placedAt = :at, providerCallId = :id', { ':placed': 'placed', ':at': at, ':id': providerCallId }),

    /** `pending` → `failed`, with the failure's slug. */
    markFailed: (requestId: string, failure: string, at: string) =>
      finish(requestId, 'SET #status = :failed, failedAt = :at, failure = :failure', { ':failed': 'failed', ':at': at, ':failure': failure }),
  };
}

export type CallbacksRepository = ReturnType<typeof callbacksRepository>;
