// The admin dashboard's figures. Counters, kept exact by the stream workers, live in one partition,
// STATS#COUNTERS, spread over COUNTER_SHARDS items per kind so that concurrent updates rarely meet:
//   TOTAL#<shard>               customers, active_<plan> (subscriptions in force, by plan): gauges now;
//   MONTH#<yyyy-mm>#<shard>     signups (by the customer's creation month), removals, delta_<plan> (net
//                               change of active_<plan> that month), calls and callSeconds (by the
//                               call's start month), and `callEpoch`: the id of this item's call counts.
// Every counter change is written in one transaction with what makes it happen once: the customer's
// listing row (customers.ts), or, for a call, a mark on the call row itself (`statsCountedIn`: the
// epoch of the MONTH item it was counted in). A call is counted when its row's mark is not the item's
// current epoch; counting sets the mark, conditional on the epoch being the one read and the mark not
// being it yet. So counters and marks cannot part: an item deleted (or its call counts reset under a
// new epoch, resetCallCounts) turns every mark that pointed at it stale, and each call is counted into
// it again exactly once, by the worker or by the rebuild (shared/domain/reindex.ts), whoever comes
// first. The mark lives and goes with the call row (a deleted account's calls stay counted: the
// counters are history). A rebuild of the figures reads this partition's TOTAL items and its last
// twelve months, never the entity rows. The result is STATS / SNAPSHOT; STATS / LOCK (with an
// expiry) lets one rebuild run at a time. All months are UTC.
import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, cancellationReasons, isTransactionConflict } from './conditional';
import { callKey, type CallRowId } from './calls';
import { afterPrefix, splitAtFirst } from './keys';
import { queryAll } from './query-all';

export const COUNTER_SHARDS = 16;
const COUNTERS_PK = 'STATS#COUNTERS';
const STATS_PK = 'STATS';
const SNAPSHOT_SK = 'SNAPSHOT';
const LOCK_SK = 'LOCK';
/** The call row's mark: the epoch of the MONTH item the call is counted in. */
export const CALL_STATS_MARK = 'statsCountedIn';

export type CounterChanges = Record<string, number>;

/** A counter shard for an id: the same id always lands on the same shard. */
export const shardOf = (id: string) => createHash('sha256').update(id).digest().readUInt16BE(0) % COUNTER_SHARDS;
export const monthOf = (iso: string) => iso.slice(0, 7);
const TOTAL_SK_PREFIX = 'TOTAL#';
const MONTH_SK_PREFIX = 'MONTH#';
export const totalKey = (shard: number) => ({ pk: COUNTERS_PK, sk: `${TOTAL_SK_PREFIX}${String(shard).padStart(2, '0')}` });
export const monthKey = (month: string, shard: number) => ({ pk: COUNTERS_PK, sk: `${MONTH_SK_PREFIX}${month}#${String(shard).padStart(2, '0')}` });

/** The transaction item that adds `changes` to the counters of `key` (creating the item when missing); undefined when nothing changes. */
export function counterUpdate(tableName: string, key: { pk: string; sk: string }, changes: CounterChanges) {
  const entries = Object.entries(changes).filter(([, n]) => n !== 0);
  if (entries.length === 0) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET entity = :entity ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
      ExpressionAttributeValues: { ':entity': 'statsCounter', ...Object.fromEntries(entries.map(([, n], i) => [`:c${i}`, n])) },
    },
  };
}

/** Adds changes by month into one map per month (a transaction may touch an item once). */
export function addTo(byKey: Map<string, CounterChanges>, key: string, changes: CounterChanges): void {
  const into = byKey.get(key) ?? {};
  for (const [name, n] of Object.entries(changes)) into[name] = (into[name] ?? 0) + n;
  byKey.set(key, into);
}

/** One counter shard as read: the gauges now (`total`) or one month's changes (`month`, yyyy-mm), and its counters. */
export type CounterShard = ({ period: 'total' } | { period: 'month'; month: string }) & { counters: Record<string, number> };

/** A counter item as the shard it is (undefined for an item of no known kind). */
function counterShardOf(item: Record<string, unknown>): CounterShard | undefined {
  const sk = String(item.sk);
  const counters = Object.fromEntries(Object.entries(item).filter((e): e is [string, number] => typeof e[1] === 'number'));
  if (sk.startsWith(TOTAL_SK_PREFIX)) return { period: 'total', counters };
  const [month] = splitAtFirst(afterPrefix(sk, MONTH_SK_PREFIX), '#');
  return month ? { period: 'month', month, counters } : undefined;
}

export interface StatsSnapshotRow<T = unknown> {
  computedAt: string;
  stats: T;
}

/** What a call row is counted as: undefined when it has no id or no start (nothing to count it by). */
function callFigures(row: Record<string, unknown>): { callId: string; startedAt: string; durationSeconds: number } | undefined {
  const callId = typeof row.callId === 'string' ? row.callId : '';
  const startedAt = typeof row.startedAt === 'string' ? row.startedAt : '';
  if (!callId || !/^\d{4}-\d\d/.test(startedAt)) return undefined;
  const seconds = Number(row.durationSeconds ?? 0);
  return { callId, startedAt, durationSeconds: Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0 };
}

/** A new epoch for a MONTH item's call counts. */
const newEpoch = () => randomUUID();

/**
 * `counted`: added now; `already-counted`: its mark is the item's epoch; `gone`: no such row (nothing to
 * mark, so nothing is counted: its account went); `not-countable`: a row without call id or start.
 */
export type CallCountOutcome = 'counted' | 'already-counted' | 'gone' | 'not-countable';

export interface CallCount {
  outcome: CallCountOutcome;
  /** The call's seconds this count added (0 unless counted). */
  seconds: number;
}

const COUNT_ROUNDS = 10;
const isConditionCancel = (err: unknown) => cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed') === true;

export function statsRepository(t: TableRef) {
  const read = async (key: { pk: string; sk: string }) =>
    (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }))).Item as Record<string, unknown> | undefined;

  return {
    /**
     * Counts the call row `id` once in its month (by the row as it is now, strongly consistent):
     * the count and the row's mark in one transaction, conditional on the item's epoch and the mark as
     * read. What the worker does for a new call and the rebuild for every call row it finds.
     */
    async countCall(id: CallRowId, attempts = COUNT_ROUNDS): Promise<CallCount> {
      const key = callKey(id);
      for (let round = 1; ; round++) {
        const row = await read(key);
        if (!row) return { outcome: 'gone', seconds: 0 };
        const call = callFigures(row);
        if (!call) return { outcome: 'not-countable', seconds: 0 };
        const counterKey = monthKey(monthOf(call.startedAt), shardOf(call.callId));
        const epoch = (await read(counterKey))?.callEpoch as string | undefined;
        if (epoch !== undefined && row[CALL_STATS_MARK] === epoch) return { outcome: 'already-counted', seconds: 0 };
        const into = epoch ?? newEpoch();
        try {
          await t.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: t.tableName,
                    Key: counterKey,
                    UpdateExpression: 'SET entity = :entity, callEpoch = :into ADD calls :one, callSeconds :seconds',
                    ConditionExpression: epoch === undefined ? 'attribute_not_exists(callEpoch)' : 'callEpoch = :into',
                    ExpressionAttributeValues: { ':entity': 'statsCounter', ':into': into, ':one': 1, ':seconds': call.durationSeconds },
                  },
                },
                {
                  Update: {
                    TableName: t.tableName,
                    Key: key,
                    UpdateExpression: 'SET #mark = :into',
                    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#mark) OR #mark <> :into)',
                    ExpressionAttributeNames: { '#mark': CALL_STATS_MARK },
                    ExpressionAttributeValues: { ':into': into },
                  },
                },
              ],
            }),
          );
          return { outcome: 'counted', seconds: call.durationSeconds };
        } catch (err) {
          // The epoch or the mark changed since they were read (another count, a reset, the row
          // gone), or another transaction held the item: read again.
          if (round >= attempts || !(isConditionCancel(err) || isTransactionConflict(err))) throw err;
          await new Promise((r) => setTimeout(r, Math.random() * 10 * round));
        }
      }
    },

    /**
     * Starts every MONTH item's call counts again from zero under a new epoch (calls and callSeconds
     * removed in the same write), so every call row's mark is stale and each call is counted again
     * once. Customer counters on the same items are left as they are. Answers how many items it reset.
     */
    async resetCallCounts(): Promise<number> {
      const items = await queryAll<Record<string, unknown>>(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :month)',
        ExpressionAttributeValues: { ':pk': COUNTERS_PK, ':month': MONTH_SK_PREFIX },
        ProjectionExpression: 'pk, sk, callEpoch',
        ConsistentRead: true,
      });
      for (const item of items) {
        const key = { pk: String(item.pk), sk: String(item.sk) };
        let epoch = item.callEpoch as string | undefined;
        for (let round = 1; ; round++) {
          const done = await applied(
            t.doc.send(
              new UpdateCommand({
                TableName: t.tableName,
                Key: key,
                UpdateExpression: 'SET callEpoch = :into REMOVE calls, callSeconds',
                ConditionExpression: `attribute_exists(pk) AND ${epoch === undefined ? 'attribute_not_exists(callEpoch)' : 'callEpoch = :was'}`,
                ExpressionAttributeValues: { ':into': newEpoch(), ...(epoch === undefined ? {} : { ':was': epoch }) },
              }),
            ),
          );
          if (done) break;
          // A call was counted into it meanwhile (a new epoch): reset that one.
          const now = await read(key);
          if (!now) break;
          if (round >= COUNT_ROUNDS) throw new Error('a counter item kept changing while its call counts were reset');
          epoch = now.callEpoch as string | undefined;
        }
      }
      return items.length;
    },

    /** Every TOTAL shard and the MONTH shards from `fromMonth` on: one Query (a few pages at most). */
    async readCounters(fromMonth: string): Promise<CounterShard[]> {
      const out: CounterShard[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await t.doc.send(
          new QueryCommand({
            TableName: t.tableName,
            KeyConditionExpression: 'pk = :pk AND sk >= :from',
            ExpressionAttributeValues: { ':pk': COUNTERS_PK, ':from': `${MONTH_SK_PREFIX}${fromMonth}` },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of res.Items ?? []) {
          const shard = counterShardOf(item);
          if (shard) out.push(shard);
        }
        start = res.LastEvaluatedKey;
      } while (start);
      return out;
    },

    async getSnapshot<T>(): Promise<StatsSnapshotRow<T> | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: STATS_PK, sk: SNAPSHOT_SK }, ConsistentRead: true }));
      return res.Item ? { computedAt: String(res.Item.computedAt), stats: res.Item.stats as T } : undefined;
    },

    async putSnapshot<T>(row: StatsSnapshotRow<T>): Promise<void> {
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { pk: STATS_PK, sk: SNAPSHOT_SK, entity: 'statsSnapshot', ...row } }));
    },

    /** Drops the snapshot: the next read of the figures computes them from the counters. */
    async dropSnapshot(): Promise<void> {
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: { pk: STATS_PK, sk: SNAPSHOT_SK } }));
    },

    /** Takes the rebuild lock unless another holder's lock is still valid. */
    async lock(owner: string, now: Date, holdMs: number): Promise<boolean> {
      return applied(
        t.doc.send(
          new PutCommand({
            TableName: t.tableName,
            Item: {
              pk: STATS_PK,
              sk: LOCK_SK,
              entity: 'statsLock',
              owner,
              expiresAt: new Date(now.getTime() + holdMs).toISOString(),
              ttl: Math.floor((now.getTime() + holdMs) / 1000) + 3600,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': now.toISOString() },
          }),
        ),
      );
    },

    async unlock(owner: string): Promise<void> {
      await applied(
        t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: { pk: STATS_PK, sk: LOCK_SK },
            ConditionExpression: '#o = :owner',
            ExpressionAttributeNames: { '#o': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
    },
  };
}

export type StatsRepository = ReturnType<typeof statsRepository>;
