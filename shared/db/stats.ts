// The admin dashboard's figures. Counters, kept exact by the stream workers, live in one partition,
// STATS#COUNTERS, spread over COUNTER_SHARDS items per kind so that concurrent updates rarely meet:
//   TOTAL#<shard>               customers, active_<plan> (subscriptions in force, by plan): gauges now;
//   MONTH#<yyyy-mm>#<shard>     signups (by the customer's creation month), removals, delta_<plan> (net
//                               change of active_<plan> that month), calls and callSeconds (by the
//                               call's start month).
// Every counter change is written in one transaction with what makes it happen once: the customer's
// listing row (customers.ts), or a marker per call (STATS_MARK#CALL#<hash of the call id>, kept a week: a stream
// record is at most a day old). A rebuild reads this partition's TOTAL items and its last twelve
// months, never the entity rows. The result is STATS / SNAPSHOT; STATS / LOCK (with an expiry) lets one
// rebuild run at a time. All months are UTC.
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, cancellationReasons, retryingConflicts } from './conditional';
import { afterPrefix, splitAtFirst } from './keys';

export const COUNTER_SHARDS = 16;
const COUNTERS_PK = 'STATS#COUNTERS';
const STATS_PK = 'STATS';
const SNAPSHOT_SK = 'SNAPSHOT';
const LOCK_SK = 'LOCK';
const MARK_DAYS = 7;

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

/** A counted call's marker: keyed by a hash of the call id, so it names no call of a deleted account. */
const callMarkKey = (callId: string) => `STATS_MARK#CALL#${createHash('sha256').update(callId).digest('hex').slice(0, 32)}`;

export function statsRepository(t: TableRef) {
  return {
    /** Counts a call once (by its id): false when it was counted before. */
    async countCall(call: { callId: string; startedAt: string; durationSeconds: number }, now: Date): Promise<boolean> {
      return retryingConflicts(async () => {
        try {
          await t.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: t.tableName,
                    Item: { pk: callMarkKey(call.callId), sk: 'COUNTED', entity: 'statsMark', ttl: Math.floor(now.getTime() / 1000) + MARK_DAYS * 86_400 },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                counterUpdate(t.tableName, monthKey(monthOf(call.startedAt), shardOf(call.callId)), { calls: 1, callSeconds: Math.max(0, Math.round(call.durationSeconds)) })!,
              ],
            }),
          );
          return true;
        } catch (err) {
          if (cancellationReasons(err)?.[0]?.Code === 'ConditionalCheckFailed') return false;
          throw err;
        }
      });
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
