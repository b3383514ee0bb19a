// Calls the customer's assistant took, from Vapi's end-of-call reports: USER#<sub> / CALL#<startedAt>#<callId>,
// newest first by sort key, plus a reference row CALL#<callId> / REF naming the owner and the call's
// key, so a call is found by id with one GetItem (the email's deep link) and stored once: both rows
// are written in one transaction, each conditional on not existing, so a report delivered twice or
// concurrently writes one call (and so one INSERT on the stream, one email).
//
// Both rows carry the account's retention as a TTL (`ttl`, epoch seconds); DynamoDB deletes expired
// rows within days, not at once, so every read here treats a row past its TTL as gone. A call the
// customer deletes (./call-deletions.ts) is marked `deletionRequestedAt` and its reference removed in
// the request's transaction: from then on no read here finds it, while the worker removes the rest.
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, transactionApplied } from './conditional';
import { decodeCursor, encodeCursor } from './cursor';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, splitAtFirst, userIdOfPk, userPk } from './keys';

export interface CallRow {
  callId: string;
  assistantId: string;
  /** E.164 of the caller, when Vapi knows it. */
  callerNumber: string | null;
  /** E.164 of the number that was called (the assistant's), when the report names it. */
  calledNumber?: string | null;
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  endedReason: string | null;
  summary: string | null;
  transcript: string | null;
  recordingUrl: string | null;
  /** In USD, as Vapi reports it. */
  cost: number | null;
  receivedAt: string;
  /** Mailgun's id of the summary email, once sent. */
  summaryMailId?: string;
  summarySentAt?: string;
  /** The admin counters' mark: the epoch of the monthly counter item the call is counted in (shared/db/stats.ts). */
  statsCountedIn?: string;
  /** Why no summary email went out (the owner has no verified address), once decided. */
  summarySkipped?: 'no-email' | 'unverified-email';
  summarySkippedAt?: string;
  /** When DynamoDB deletes the row (epoch seconds): the owner's retention after the call's start. */
  ttl?: number;
  /** The owner asked for the call's deletion (it no longer shows; the deleteCall worker removes it). */
  deletionRequestedAt?: string;
}

/** The stream filter of the call rows. */
export const CALL_KEYS = { pk: USER_PK_PREFIX, sk: 'CALL#' } as const;
/** Whether a page cursor's key is one of `userId`'s calls (a cursor from another list or user is refused). */
const isCallKeyOf = (userId: string) => (k: { pk?: string; sk?: string }) => k.pk === userPk(userId) && !!k.sk?.startsWith(CALL_KEYS.sk);

/** A call row's id: its owner, and its start and Vapi's call id, which its sort key is made of. */
export interface CallRowId {
  userId: string;
  startedAt: string;
  callId: string;
}

/** The keys of a call row. */
export const callKey = ({ userId, startedAt, callId }: CallRowId) => ({ pk: userPk(userId), sk: `${CALL_KEYS.sk}${startedAt}#${callId}` });

/** The call row a stream record's keys name (the start, an ISO instant, holds no `#`; the call id may). */
export const callIdOfKey = idOfKeyParser<CallRowId>(
  'a call',
  ({ pk, sk }) => {
    const [startedAt, callId] = splitAtFirst(afterPrefix(sk, CALL_KEYS.sk), '#');
    return { userId: userIdOfPk(pk), startedAt, callId };
  },
  callKey,
);

/** A call's row as it is stored (also what local tooling loads in bulk). */
export const callItem = (userId: string, call: CallRow) => ({ ...callKey({ userId, startedAt: call.startedAt, callId: call.callId }), entity: 'call', ...call });

/** The call's reference by id (CALL#<callId> / REF), outside its owner's partition. */
export const callRefKey = (callId: string) => ({ pk: `CALL#${callId}`, sk: 'REF' });

/** Whether a stored call is still to be shown: not past its TTL, not being deleted. */
export const isLive = (row: Pick<CallRow, 'ttl' | 'deletionRequestedAt'>, now: Date) =>
  !row.deletionRequestedAt && (row.ttl === undefined || row.ttl > Math.floor(now.getTime() / 1000));

/** One page of a user's calls as the re-dating reads them: each call's id and TTL. */
export interface CallTtlPage {
  items: (CallRowId & { ttl?: number })[];
  /** Where the next page starts, or undefined after the last. */
  after?: string;
}

export interface CallPage {
  items: CallRow[];
  /** The cursor of the next page: null after a page shorter than the limit. */
  nextCursor: string | null;
}

export function callsRepository(t: TableRef) {
  const strip = (item: Record<string, unknown>): CallRow => {
    const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
    return rest as unknown as CallRow;
  };

  return {
    /** Stores a call once; false when a call with this id is stored already (for any user). */
    async create(userId: string, call: CallRow): Promise<boolean> {
      const key = callKey({ userId, startedAt: call.startedAt, callId: call.callId });
      return transactionApplied(
        t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: t.tableName,
                  Item: { ...callRefKey(call.callId), entity: 'callRef', userId, callSk: key.sk, ...(call.ttl === undefined ? {} : { ttl: call.ttl }) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: t.tableName, Item: callItem(userId, call), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        ),
      );
    },

    /** The caller's call by id: undefined when there is none, it is another user's, past its TTL or being deleted. */
    async get(userId: string, callId: string, now = new Date()): Promise<CallRow | undefined> {
      const ref = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: callRefKey(callId), ConsistentRead: true }));
      if (!ref.Item || ref.Item.userId !== userId) return undefined;
      const res = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: userPk(userId), sk: String(ref.Item.callSk) }, ConsistentRead: true }),
      );
      const row = res.Item ? strip(res.Item) : undefined;
      return row && isLive(row, now) ? row : undefined;
    },

    /** The call row itself, one GetItem without the reference (strongly consistent: a retried record must see its own mark). */
    async getRow(id: CallRowId): Promise<CallRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: callKey(id), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /**
     * The user's calls, newest first, a page at a time; a cursor not from a page of theirs is
     * InvalidCursorError (400). Calls past their TTL or being deleted are left out, so a page can
     * hold fewer than `limit` and still have a next one.
     */
    async list(userId: string, opts: { limit: number; cursor?: string; now?: Date }): Promise<CallPage> {
      const after = decodeCursor(opts.cursor, { keys: ['pk', 'sk'], check: isCallKeyOf(userId) });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :call)',
          FilterExpression: 'attribute_not_exists(deletionRequestedAt) AND (attribute_not_exists(#ttl) OR #ttl > :now)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':pk': userPk(userId), ':call': CALL_KEYS.sk, ':now': Math.floor((opts.now ?? new Date()).getTime() / 1000) },
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: after,
        }),
      );
      const items = (res.Items ?? []).map(strip);
      return { items, nextCursor: res.LastEvaluatedKey ? encodeCursor(res.LastEvaluatedKey) : null };
    },

    /**
     * One page of the user's calls for the re-dating (oldest first, ids and TTLs only), from `after`
     * (a page's own `after`, opaque). Calls being deleted are left out: their rows go anyway.
     */
    async ttlPage(userId: string, opts: { limit: number; after?: string }): Promise<CallTtlPage> {
      const start = decodeCursor(opts.after, { keys: ['pk', 'sk'], check: isCallKeyOf(userId) });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :call)',
          FilterExpression: 'attribute_not_exists(deletionRequestedAt)',
          ProjectionExpression: 'pk, sk, #ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':pk': userPk(userId), ':call': CALL_KEYS.sk },
          Limit: opts.limit,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      const items = (res.Items ?? []).map((i) => ({ ...callIdOfKey({ pk: String(i.pk), sk: String(i.sk) }), ...(typeof i.ttl === 'number' ? { ttl: i.ttl } : {}) }));
      return { items, after: encodeCursor(res.LastEvaluatedKey) ?? undefined };
    },

    /** A stored call's new TTL, on its row and its reference; false when the call is gone (deleted meanwhile). */
    async setTtl(id: CallRowId, ttl: number): Promise<boolean> {
      return transactionApplied(
        t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: t.tableName,
                  Key: callKey(id),
                  UpdateExpression: 'SET #ttl = :ttl',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletionRequestedAt)',
                  ExpressionAttributeNames: { '#ttl': 'ttl' },
                  ExpressionAttributeValues: { ':ttl': ttl },
                },
              },
              {
                Update: {
                  TableName: t.tableName,
                  Key: callRefKey(id.callId),
                  UpdateExpression: 'SET #ttl = :ttl',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#ttl': 'ttl' },
                  ExpressionAttributeValues: { ':ttl': ttl },
                },
              },
            ],
          }),
        ),
      );
    },

    /** Marks the summary email sent; false when it was already marked. */
    async markSummarySent(id: CallRowId, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: callKey(id),
            UpdateExpression: 'SET summaryMailId = :id, summarySentAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(summaryMailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },

    /** Marks the summary skipped (no verified address to send it to); false when the call was already marked. */
    async markSummarySkipped(id: CallRowId, reason: 'no-email' | 'unverified-email', at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: callKey(id),
            UpdateExpression: 'SET summarySkipped = :reason, summarySkippedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(summaryMailId) AND attribute_not_exists(summarySkipped)',
            ExpressionAttributeValues: { ':reason': reason, ':at': at },
          }),
        ),
      );
    },
  };
}

export type CallsRepository = ReturnType<typeof callsRepository>;
