// Webhook events and their deliveries, in the account's partition (so they go with it):
//   USER#<sub> / WHEVENT#<eventId>                     an event: its type, time and payload, once
//   USER#<sub> / WHDELIVERY#<subscriptionId>#<eventId> its delivery to one endpoint: status, attempts, the log
//   USER#<sub> / WHRECOVERY#<subscriptionId>#<id>      a `recover` request, paged through by its worker
// An event and its deliveries are written in one transaction, each conditional on not existing and on
// the account having no teardown record: a stream record handled twice writes them once. Event ids
// start with their time (`msg_` and the milliseconds in base 36), so an endpoint's deliveries list
// newest first by sort key and a `recover` reads from its `since` on. Every row has a TTL
// (WEBHOOK_RETENTION_DAYS): the log is kept that long.
//
// A delivery's attempts: `nextAttempt` is the number of the attempt to make (null when none is due);
// a consumer claims it (`attemptStarted`, conditional on it being the next and not claimed, or claimed
// by a consumer that died a while ago), makes it and records it, conditional on its claim: a message
// delivered twice makes one attempt. Recording a failure that the schedule retries sets the next
// attempt and `dispatchRequestedAt`, which the dispatchWebhookDelivery worker turns into the queued
// message; so does a retry or a recovery.
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import type { TableRef } from './client';
import { applied, conditionFailed } from './conditional';
import { decodeCursor, encodeCursor } from './cursor';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, splitAtFirst, userIdOfPk, userPk } from './keys';
import { accountOpenCheck } from './teardowns';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
/** What started an attempt: the event (and its retry schedule), a retry of the one delivery, a recovery, the test route. */
export type AttemptTrigger = 'event' | 'retry' | 'recover';

export interface AttemptLog {
  attempt: number;
  at: string;
  /** The endpoint's HTTP status; null when there was no answer (refused, timed out, unreachable). */
  status: number | null;
  durationMs: number;
  error: string | null;
  trigger: AttemptTrigger;
}

export interface WebhookEventRow {
  eventId: string;
  type: string;
  occurredAt: string;
  /** The body every attempt sends, as sent (JSON). */
  payload: string;
  createdAt: string;
}

export interface WebhookDeliveryRow {
  subscriptionId: string;
  eventId: string;
  eventType: string;
  occurredAt: string;
  createdAt: string;
  status: DeliveryStatus;
  /** Attempts made. */
  attempts: number;
  /** The attempt a consumer claimed last, and when. */
  attemptStarted?: number;
  claimedAt?: string;
  nextAttempt: number | null;
  nextAttemptAt: string | null;
  /** Whether a failure of the next attempt is retried on the schedule (not after a retry or a recovery). */
  automatic: boolean;
  trigger: AttemptTrigger;
  lastStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** The first KB of the last answer's body. */
  lastResponse: string | null;
  lastAttemptAt: string | null;
  /** The latest attempts, oldest first (at most LOG_LIMIT). */
  log: AttemptLog[];
  /** Set when an attempt is to be queued: the dispatch worker reacts to its change. */
  dispatchRequestedAt: string;
  /** Epoch seconds: when the row goes. */
  ttl: number;
}

export interface WebhookRecoveryRow {
  recoveryId: string;
  subscriptionId: string;
  since: string;
  requestedAt: string;
  status: 'running' | 'done';
  /** Pages done: each page's update brings the record back to its worker. */
  progress: number;
  /** Where the next page starts (the last key read), while running. */
  cursor: string | null;
  recovered: number;
  ttl: number;
}

/** The attempts a delivery row keeps in its log. */
export const LOG_LIMIT = 20;
/** A claim older than this belongs to a consumer that died (its message comes back after the queue's visibility timeout). */
export const CLAIM_STALE_MS = 60_000;

export const WEBHOOK_EVENT_SK_PREFIX = 'WHEVENT#';
export const WEBHOOK_DELIVERY_SK_PREFIX = 'WHDELIVERY#';
export const WEBHOOK_RECOVERY_SK_PREFIX = 'WHRECOVERY#';
/** The stream filters of the deliveries and the recoveries. */
export const WEBHOOK_DELIVERY_KEYS = { pk: USER_PK_PREFIX, sk: WEBHOOK_DELIVERY_SK_PREFIX } as const;
export const WEBHOOK_RECOVERY_KEYS = { pk: USER_PK_PREFIX, sk: WEBHOOK_RECOVERY_SK_PREFIX } as const;

/** A time-ordered message id: `msg_`, the milliseconds (9 base-36 digits), 20 hex digits of `seed` (random without). */
export function webhookEventId(at: Date, seed?: string): string {
  const time = at.getTime().toString(36).padStart(9, '0');
  const tail = seed ? createHash('sha256').update(seed).digest('hex').slice(0, 20) : randomBytes(10).toString('hex');
  return `msg_${time}${tail}`;
}

/** The smallest event id of `at` or later (a recovery's first key). */
const eventIdFloor = (at: Date) => `msg_${at.getTime().toString(36).padStart(9, '0')}`;

export interface DeliveryId {
  userId: string;
  subscriptionId: string;
  eventId: string;
}
export interface RecoveryId {
  userId: string;
  subscriptionId: string;
  recoveryId: string;
}

const eventKey = (userId: string, eventId: string) => ({ pk: userPk(userId), sk: `${WEBHOOK_EVENT_SK_PREFIX}${eventId}` });
export const deliveryKey = ({ userId, subscriptionId, eventId }: DeliveryId) => ({ pk: userPk(userId), sk: `${WEBHOOK_DELIVERY_SK_PREFIX}${subscriptionId}#${eventId}` });
export const recoveryKey = ({ userId, subscriptionId, recoveryId }: RecoveryId) => ({ pk: userPk(userId), sk: `${WEBHOOK_RECOVERY_SK_PREFIX}${subscriptionId}#${recoveryId}` });

/** The delivery a stream record's keys name (endpoint ids hold no `#`). */
export const deliveryIdOfKey = idOfKeyParser<DeliveryId>(
  'a webhook delivery',
  ({ pk, sk }) => {
    const [subscriptionId, eventId] = splitAtFirst(afterPrefix(sk, WEBHOOK_DELIVERY_SK_PREFIX), '#');
    return { userId: userIdOfPk(pk), subscriptionId, eventId };
  },
  deliveryKey,
);
export const recoveryIdOfKey = idOfKeyParser<RecoveryId>(
  'a webhook recovery',
  ({ pk, sk }) => {
    const [subscriptionId, recoveryId] = splitAtFirst(afterPrefix(sk, WEBHOOK_RECOVERY_SK_PREFIX), '#');
    return { userId: userIdOfPk(pk), subscriptionId, recoveryId };
  },
  recoveryKey,
);

/** A new delivery of an event to one endpoint: its first attempt due now. */
export function newDelivery(event: Pick<WebhookEventRow, 'eventId' | 'type' | 'occurredAt'>, subscriptionId: string, now: string, ttl: number): WebhookDeliveryRow {
  return {
    subscriptionId,
    eventId: event.eventId,
    eventType: event.type,
    occurredAt: event.occurredAt,
    createdAt: now,
    status: 'pending',
    attempts: 0,
    nextAttempt: 1,
    nextAttemptAt: now,
    automatic: true,
    trigger: 'event',
    lastStatus: null,
    lastError: null,
    lastDurationMs: null,
    lastResponse: null,
    lastAttemptAt: null,
    log: [],
    dispatchRequestedAt: now,
    ttl,
  };
}

export interface AttemptResult {
  at: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
  succeeded: boolean;
}

export interface DeliveryPage {
  items: WebhookDeliveryRow[];
  nextCursor: string | null;
}

const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as T;
};

export function webhookDeliveriesRepository(t: TableRef) {
  const get = async <T>(key: { pk: string; sk: string }): Promise<T | undefined> => {
    const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }));
    return res.Item ? strip<T>(res.Item) : undefined;
  };
  const deliveryPrefix = (userId: string, subscriptionId: string) => ({ pk: userPk(userId), prefix: `${WEBHOOK_DELIVERY_SK_PREFIX}${subscriptionId}#` });

  return {
    /**
     * Writes an event and one pending delivery per endpoint, once: `exists` when the event is stored
     * already (a stream record handled again), `closed` when the account is being deleted.
     */
    async createEvent(userId: string, event: WebhookEventRow, subscriptionIds: string[], ttl: number): Promise<'created' | 'exists' | 'closed'> {
      const open = accountOpenCheck(t, userId);
      const put = { Put: { TableName: t.tableName, Item: { ...eventKey(userId, event.eventId), entity: 'webhookEvent', ...event, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } };
      const deliveries = subscriptionIds.map((subscriptionId) => ({
        Put: {
          TableName: t.tableName,
          Item: { ...deliveryKey({ userId, subscriptionId, eventId: event.eventId }), entity: 'webhookDelivery', ...newDelivery(event, subscriptionId, event.createdAt, ttl) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }));
      const items = [put, ...deliveries, open];
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return 'created';
      } catch (err) {
        if (conditionFailed(err, items, open)) return 'closed';
        if (conditionFailed(err, items, put)) return 'exists';
        throw err;
      }
    },

    getEvent: (userId: string, eventId: string) => get<WebhookEventRow>(eventKey(userId, eventId)),
    getDelivery: (id: DeliveryId) => get<WebhookDeliveryRow>(deliveryKey(id)),

    /** An endpoint's deliveries, newest first, a page at a time; a cursor not from this listing is InvalidCursorError (400). */
    async list(userId: string, subscriptionId: string, opts: { limit: number; cursor?: string }): Promise<DeliveryPage> {
      const { pk, prefix } = deliveryPrefix(userId, subscriptionId);
      const after = decodeCursor(opts.cursor, { keys: ['pk', 'sk'], check: (k) => k.pk === pk && !!k.sk?.startsWith(prefix) });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: after,
        }),
      );
      const items = (res.Items ?? []).map((i) => strip<WebhookDeliveryRow>(i));
      return { items, nextCursor: items.length === opts.limit ? encodeCursor(res.LastEvaluatedKey) : null };
    },

    /** Claims attempt `attempt` for this consumer: false when it is not the next one, or another consumer has it. */
    async claim(id: DeliveryId, attempt: number, now: Date): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: deliveryKey(id),
            UpdateExpression: 'SET attemptStarted = :n, claimedAt = :now',
            ConditionExpression:
              '#s = :pending AND nextAttempt = :n AND (attribute_not_exists(attemptStarted) OR attemptStarted < :n OR (attemptStarted = :n AND claimedAt < :stale))',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending', ':n': attempt, ':now': now.toISOString(), ':stale': new Date(now.getTime() - CLAIM_STALE_MS).toISOString() },
          }),
        ),
      );
    },

    /**
     * Records claimed attempt `attempt`: succeeded, failed for good, or failed with the next attempt
     * due at `next` (which the dispatch worker queues). False when the claim is not this attempt's any more.
     */
    async record(id: DeliveryId, attempt: number, trigger: AttemptTrigger, result: AttemptResult, next: string | null): Promise<boolean> {
      const entry: AttemptLog = { attempt, at: result.at, status: result.status, durationMs: result.durationMs, error: result.error, trigger };
      const status: DeliveryStatus = result.succeeded ? 'succeeded' : next ? 'pending' : 'failed';
      const current = await get<WebhookDeliveryRow>(deliveryKey(id));
      if (!current) return false;
      const log = [...(current.log ?? []), entry].slice(-LOG_LIMIT);
      const values: Record<string, unknown> = {
        ':n': attempt,
        ':s': status,
        ':log': log,
        ':lastStatus': result.status,
        ':lastError': result.error,
        ':lastDuration': result.durationMs,
        ':lastResponse': result.response,
        ':at': result.at,
        ':next': next ? attempt + 1 : null,
        ':nextAt': next,
      };
      let update = 'SET attempts = :n, #s = :s, #log = :log, lastStatus = :lastStatus, lastError = :lastError, lastDurationMs = :lastDuration, lastResponse = :lastResponse, lastAttemptAt = :at, nextAttempt = :next, nextAttemptAt = :nextAt';
      if (next) {
        update += ', dispatchRequestedAt = :at, #trigger = :event';
        values[':event'] = 'event';
      }
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: deliveryKey(id),
            UpdateExpression: update,
            ConditionExpression: 'attemptStarted = :n AND nextAttempt = :n',
            ExpressionAttributeNames: { '#s': 'status', '#log': 'log', ...(next ? { '#trigger': 'trigger' } : {}) },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    /** The next attempt is not made (the endpoint is disabled): the delivery fails, nothing is logged as an attempt. */
    async fail(id: DeliveryId, attempt: number, reason: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: deliveryKey(id),
            UpdateExpression: 'SET #s = :failed, lastError = :reason, nextAttempt = :null, nextAttemptAt = :null, updatedAt = :at',
            ConditionExpression: '#s = :pending AND nextAttempt = :n',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed', ':pending': 'pending', ':reason': reason, ':null': null, ':at': at, ':n': attempt },
          }),
        ),
      );
    },

    /**
     * One more attempt now, outside the schedule (a retry or a recovery), of a delivery as `seen` was
     * read: false when it changed meanwhile, or an attempt is being made right now.
     */
    async requestAttempt(id: DeliveryId, seen: Pick<WebhookDeliveryRow, 'status' | 'attempts'>, trigger: Exclude<AttemptTrigger, 'event'>, now: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: deliveryKey(id),
            UpdateExpression: 'SET #s = :pending, nextAttempt = :n, nextAttemptAt = :now, automatic = :false, #trigger = :trigger, dispatchRequestedAt = :now',
            ConditionExpression: '#s = :seen AND attempts = :attempts AND (attribute_not_exists(attemptStarted) OR attemptStarted <= :attempts OR claimedAt < :stale)',
            ExpressionAttributeNames: { '#s': 'status', '#trigger': 'trigger' },
            ExpressionAttributeValues: {
              ':pending': 'pending',
              ':n': seen.attempts + 1,
              ':now': now,
              ':false': false,
              ':trigger': trigger,
              ':seen': seen.status,
              ':attempts': seen.attempts,
              ':stale': new Date(Date.parse(now) - CLAIM_STALE_MS).toISOString(),
            },
          }),
        ),
      );
    },

    /** A page of an endpoint's failed deliveries of events from `since` on, oldest first, and where the next starts. */
    async failedSince(userId: string, subscriptionId: string, since: Date, cursor: string | null, limit: number): Promise<{ items: WebhookDeliveryRow[]; cursor: string | null }> {
      const { pk, prefix } = deliveryPrefix(userId, subscriptionId);
      const after = cursor ? decodeCursor(cursor, { keys: ['pk', 'sk'], check: (k) => k.pk === pk && !!k.sk?.startsWith(prefix) }) : undefined;
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          FilterExpression: '#s = :failed',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pk': pk, ':from': `${prefix}${eventIdFloor(since)}`, ':to': `${prefix}~`, ':failed': 'failed' },
          ConsistentRead: true,
          Limit: limit,
          ExclusiveStartKey: after,
        }),
      );
      return { items: (res.Items ?? []).map((i) => strip<WebhookDeliveryRow>(i)), cursor: encodeCursor(res.LastEvaluatedKey) };
    },

    /** Stores a recovery request (its worker pages through the failed deliveries); AccountClosedError's case answers false. */
    async createRecovery(userId: string, row: WebhookRecoveryRow): Promise<boolean> {
      const open = accountOpenCheck(t, userId);
      const put = { Put: { TableName: t.tableName, Item: { ...recoveryKey({ userId, subscriptionId: row.subscriptionId, recoveryId: row.recoveryId }), entity: 'webhookRecovery', ...row }, ConditionExpression: 'attribute_not_exists(pk)' } };
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: [put, open] }));
        return true;
      } catch (err) {
        if (conditionFailed(err, [put, open], open)) return false;
        throw err;
      }
    },

    getRecovery: (id: RecoveryId) => get<WebhookRecoveryRow>(recoveryKey(id)),

    /** A page of a recovery done: its progress moves on (conditional on it being the one read), which brings the record back. */
    async recoveryPageDone(id: RecoveryId, seenProgress: number, fields: { cursor: string | null; recovered: number }): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: recoveryKey(id),
            UpdateExpression: 'SET progress = :next, #cursor = :cursor, recovered = :recovered, #s = :status',
            ConditionExpression: 'progress = :seen',
            ExpressionAttributeNames: { '#cursor': 'cursor', '#s': 'status' },
            ExpressionAttributeValues: { ':next': seenProgress + 1, ':seen': seenProgress, ':cursor': fields.cursor, ':recovered': fields.recovered, ':status': fields.cursor ? 'running' : 'done' },
          }),
        ),
      );
    },
  };
}

export type WebhookDeliveriesRepository = ReturnType<typeof webhookDeliveriesRepository>;
