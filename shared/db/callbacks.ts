// Test callback requests from the marketing site: CALLBACK#<id>. The route writes the row `pending`
// before it asks the provider to call, then marks it `placed` with the provider's call id, or
// `failed` with the provider failure's slug: a row never stays half-done unless the function dies
// between the two writes (then it stays `pending`, and its TTL removes it like any other).
// With jambonz, the call's progress comes later from the callback application's status hook
// (`callStatus`, recordCallStatus): it only moves forward, ringing → in-progress → an outcome, and an
// outcome is final; it is never `status`, which says what became of the request.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallbackLocale, CallbackProvider } from '../config/callback';
import type { TableRef } from './client';
import { applied } from './conditional';
import { putIfAbsent, type PutOutcome } from './put-if-absent';

export type CallbackStatus = 'pending' | 'placed' | 'failed';

/** The placed call's progress, as jambonz reports it; the last four are its outcome. */
export const CALLBACK_CALL_STATUSES = ['ringing', 'in-progress', 'completed', 'no-answer', 'busy', 'failed'] as const;
export type CallbackCallStatus = (typeof CALLBACK_CALL_STATUSES)[number];
/** The statuses a call moves on from (none after an outcome). */
const EARLIER: Record<CallbackCallStatus, CallbackCallStatus[]> = {
  ringing: [],
  'in-progress': ['ringing'],
  completed: ['ringing', 'in-progress'],
  'no-answer': ['ringing', 'in-progress'],
  busy: ['ringing', 'in-progress'],
  failed: ['ringing', 'in-progress'],
};
/** Whether a call status is the call's outcome. */
export const isCallOutcome = (s: string | undefined): boolean => s !== undefined && s !== 'ringing' && s !== 'in-progress' && (CALLBACK_CALL_STATUSES as readonly string[]).includes(s);

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
  /** The call's latest progress (jambonz's status hook), and when it was recorded. */
  callStatus?: CallbackCallStatus;
  callStatusAt?: string;
  /** How long the answered call lasted, with its outcome (jambonz's `duration`). */
  callDurationSeconds?: number;
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

    /**
     * The call's progress on an existing jambonz request whose call is `callSid` (or not yet known: the
     * status hook can be quicker than markPlaced), only forward: false (and nothing written) when the
     * row is not such a request, or already at this status, a later one or an outcome.
     */
    recordCallStatus: (requestId: string, call: { callSid: string; status: CallbackCallStatus; at: string; durationSeconds?: number }) => {
      const earlier = EARLIER[call.status];
      const values: Record<string, unknown> = { ':jambonz': 'jambonz', ':sid': call.callSid, ':s': call.status, ':at': call.at };
      earlier.forEach((e, i) => (values[`:e${i}`] = e));
      const withDuration = call.durationSeconds !== undefined && isCallOutcome(call.status);
      if (withDuration) values[':d'] = call.durationSeconds;
      const fresh = earlier.length === 0 ? 'attribute_not_exists(#cs)' : `(attribute_not_exists(#cs) OR #cs IN (${earlier.map((_, i) => `:e${i}`).join(', ')}))`;
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(requestId),
            UpdateExpression: `SET #cs = :s, #csAt = :at${withDuration ? ', #d = :d' : ''}`,
            ConditionExpression: `attribute_exists(pk) AND #provider = :jambonz AND (attribute_not_exists(#callId) OR #callId = :sid) AND ${fresh}`,
            ExpressionAttributeNames: {
              '#cs': 'callStatus',
              '#csAt': 'callStatusAt',
              '#provider': 'provider',
              '#callId': 'providerCallId',
              ...(withDuration ? { '#d': 'callDurationSeconds' } : {}),
            },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },
  };
}

export type CallbacksRepository = ReturnType<typeof callbacksRepository>;
