// The admin dashboard's customer index, kept by the indexCustomer stream worker from the rows it is
// made of (USER#<sub> / SETTINGS and / SUBSCRIPTION), never by scanning. A customer is anyone with
// either row; their index items live in their own partition CUSTOMER#<sub>:
//   LISTING            the listing row: gsi2 (CUSTOMERS, <since>#<sub>), newest first; email, name,
//                      company, plan and status, the words they are found by (`terms`), `version`,
//                      and `activePlan`: the plan whose active count includes them (stats.ts);
//   SEARCH#<p>         one per two-letter start <p> of their words: gsi2 (CUSTOMER_SEARCH#<p>,
//                      <since>#<sub>) with the same `terms`, so a search reads only customers with a
//                      word starting like the query's, newest first.
// Every change is one transaction: a condition check on each source row as it was read (so an index
// never lands from an outdated read: a concurrent change makes it read again), the listing row
// (conditional on its version), the search items, and the counters the change moves (customers,
// sign-ups, active subscriptions by plan). A customer whose two rows are gone loses every index item.
import { BatchGetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putAll } from './batch';
import type { TableRef } from './client';
import { cancellationReasons } from './conditional';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor';
import { addTo, counterUpdate, monthKey, monthOf, shardOf, totalKey, type CounterChanges } from './stats';
import { USER_PK_PREFIX, idOfKeyParser, userIdOfPk, userPk } from './keys';
import { SUBSCRIPTION_SK } from './subscriptions';
import { SETTINGS_SK } from './users';

export const CUSTOMER_PK_PREFIX = 'CUSTOMER#';
const LISTING_SK = 'LISTING';
const SEARCH_SK_PREFIX = 'SEARCH#';
const CUSTOMERS_LIST = 'CUSTOMERS';
const SEARCH_LIST_PREFIX = 'CUSTOMER_SEARCH#';

/** The listing row's key (the rebuild finds index entries by it), and the customer a listing's partition names. */
export const CUSTOMER_LISTING_KEYS = { pk: CUSTOMER_PK_PREFIX, sk: LISTING_SK } as const;
export const customerOfListingKey = (pk: string) => pk.slice(CUSTOMER_LISTING_KEYS.pk.length);

/** The source rows, as the stream filter names them. */
export const CUSTOMER_SOURCE_KEYS = { pk: USER_PK_PREFIX, settingsSk: SETTINGS_SK, subscriptionSk: SUBSCRIPTION_SK } as const;

const customerPk = (userId: string) => `${CUSTOMER_PK_PREFIX}${userId}`;
/** The two source rows of a customer's index. */
export type CustomerSource = 'settings' | 'subscription';
const SOURCE_SK: Record<CustomerSource, string> = { settings: CUSTOMER_SOURCE_KEYS.settingsSk, subscription: CUSTOMER_SOURCE_KEYS.subscriptionSk };
const sourceKey = (userId: string, source: CustomerSource) => ({ pk: userPk(userId), sk: SOURCE_SK[source] });

/** The customer, and which of their source rows, a source row's keys (a stream record's) name. */
export const customerIdOfSourceKey = idOfKeyParser<{ userId: string; source: CustomerSource }>(
  "a customer's settings or subscription",
  ({ pk, sk }) => ({ userId: userIdOfPk(pk), source: (Object.keys(SOURCE_SK) as CustomerSource[]).find((source) => SOURCE_SK[source] === sk) }),
  ({ userId, source }) => sourceKey(userId, source),
);

export type Row = Record<string, unknown>;

/** What the index is made from: the two source rows as read (strongly consistent). */
export interface CustomerSources {
  settings?: Row;
  subscription?: Row;
}

/** The listing row's own fields. */
export interface CustomerListing {
  userId: string;
  email: string | null;
  name: string | null;
  company: string | null;
  /** The account's call retention as chosen on its settings; null: it chose none (the stage's default applies). */
  callRetentionDays: number | null;
  transcriptStorage: string | null;
  /** When the customer came: the earlier creation of their two rows. */
  since: string;
  planId: string | null;
  subscriptionStatus: string | null;
  /** The plan whose active-subscription count includes this customer (a subscription in force), else null. */
  activePlan: string | null;
  terms: string;
}

/** What the index should hold for a customer: the listing and the starts of their words; undefined: no customer. */
export interface CustomerEntry {
  listing: CustomerListing;
  partitions: string[];
}

export interface StoredIndex {
  listing?: Row;
  search: Row[];
}

export type ApplyOutcome = 'applied' | 'unchanged' | 'stale';

const sortKey = (l: Pick<CustomerListing, 'since' | 'userId'>) => `${l.since}#${l.userId}`;
const LISTING_FIELDS = ['userId', 'email', 'name', 'company', 'callRetentionDays', 'transcriptStorage', 'since', 'planId', 'subscriptionStatus', 'activePlan', 'terms'] as const;

/** A condition that `field` is what was read (absent and null alike when it was not there). */
function sameAs(field: string, value: unknown, n: number, names: Record<string, string>, values: Record<string, unknown>): string {
  names[`#f${n}`] = field;
  if (value === undefined || value === null) {
    values[':null'] = null;
    return `(attribute_not_exists(#f${n}) OR #f${n} = :null)`;
  }
  values[`:f${n}`] = value;
  return `#f${n} = :f${n}`;
}

/** The check that a source row is still as read: absent, or the same in every field the index uses. */
function sourceCheck(tableName: string, key: { pk: string; sk: string }, row: Row | undefined, fields: string[]) {
  if (!row) return { ConditionCheck: { TableName: tableName, Key: key, ConditionExpression: 'attribute_not_exists(pk)' } };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = fields.map((f, i) => sameAs(f, row[f], i, names, values));
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: key,
      ConditionExpression: `attribute_exists(pk) AND ${parts.join(' AND ')}`,
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  };
}

/** The source fields an index entry depends on (shared/domain/customers.ts reads no others). */
export const SETTINGS_FIELDS = ['email', 'name', 'company', 'callRetentionDays', 'transcriptStorage', 'createdAt', 'updatedAt'];
export const SUBSCRIPTION_FIELDS = ['planId', 'status', 'createdAt', 'updatedAt'];

export interface CustomerPage {
  items: CustomerListing[];
  nextCursor: string | null;
}

/** Items of one index partition, newest first, that pass a filter: how much a search may read per request. */
const SEARCH_READ_LIMIT = 1000;
const SEARCH_MAX_READS = 4;
const CURSOR_KEYS = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;

/** The counters a change of the index moves: from `before` (the stored listing row, if any) to `entry` (none: gone). */
export function counterChanges(userId: string, before: Row | undefined, entry: CustomerEntry | undefined, now: Date): { key: { pk: string; sk: string }; changes: CounterChanges }[] {
  const shard = shardOf(userId);
  const month = monthOf(now.toISOString());
  const totals: CounterChanges = {};
  const months = new Map<string, CounterChanges>();
  const wasPlan = (before?.activePlan as string | null | undefined) ?? null;
  const isPlan = entry?.listing.activePlan ?? null;
  if (!before && entry) {
    totals.customers = 1;
    addTo(months, monthOf(entry.listing.since), { signups: 1 });
  } else if (before && !entry) {
    totals.customers = -1;
    addTo(months, month, { removals: 1 });
  } else if (before && entry && monthOf(String(before.since)) !== monthOf(entry.listing.since)) {
    addTo(months, monthOf(String(before.since)), { signups: -1 });
    addTo(months, monthOf(entry.listing.since), { signups: 1 });
  }
  if (wasPlan !== isPlan) {
    if (wasPlan) {
      totals[`active_${wasPlan}`] = -1;
      addTo(months, month, { [`delta_${wasPlan}`]: -1 });
    }
    if (isPlan) {
      totals[`active_${isPlan}`] = 1;
      addTo(months, month, { [`delta_${isPlan}`]: 1 });
    }
  }
  return [{ key: totalKey(shard), changes: totals }, ...[...months].map(([m, changes]) => ({ key: monthKey(m, shard), changes }))];
}

const listingItem = (userId: string, entry: CustomerEntry, version: number, now: Date) => ({
  pk: customerPk(userId),
  sk: LISTING_SK,
  entity: 'customerListing',
  gsi2pk: CUSTOMERS_LIST,
  gsi2sk: sortKey(entry.listing),
  ...entry.listing,
  version,
  indexedAt: now.toISOString(),
});

const searchItem = (userId: string, entry: CustomerEntry, p: string) => ({
  pk: customerPk(userId),
  sk: `${SEARCH_SK_PREFIX}${p}`,
  entity: 'customerSearch',
  gsi2pk: `${SEARCH_LIST_PREFIX}${p}`,
  gsi2sk: sortKey(entry.listing),
  terms: entry.listing.terms,
});

export function customerIndexRepository(t: TableRef) {
  const listingOf = (item: Row): CustomerListing => {
    const out = {} as Record<string, unknown>;
    for (const f of LISTING_FIELDS) out[f] = item[f] ?? null;
    return out as unknown as CustomerListing;
  };

  /** Reads the listing rows of these customers, in the given order (the ones gone are left out). */
  const listingsOf = async (userIds: string[]): Promise<CustomerListing[]> => {
    if (userIds.length === 0) return [];
    const found = new Map<string, Row>();
    let keys: Record<string, unknown>[] | undefined = userIds.map((id) => ({ pk: customerPk(id), sk: LISTING_SK }));
    for (let round = 0; keys && keys.length > 0 && round < 5; round++) {
      const res = await t.doc.send(new BatchGetCommand({ RequestItems: { [t.tableName]: { Keys: keys } } }));
      for (const item of res.Responses?.[t.tableName] ?? []) found.set(String(item.userId), item);
      keys = res.UnprocessedKeys?.[t.tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
    return userIds.flatMap((id) => (found.has(id) ? [listingOf(found.get(id)!)] : []));
  };

  return {
    /** The customer's two source rows, strongly consistent, in one round trip. */
    async readSources(userId: string): Promise<CustomerSources> {
      const res = await t.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [t.tableName]: {
              Keys: [sourceKey(userId, 'settings'), sourceKey(userId, 'subscription')],
              ConsistentRead: true,
            },
          },
        }),
      );
      if (Object.keys(res.UnprocessedKeys ?? {}).length) throw new Error('the table did not read both source rows; the record is retried');
      const items = res.Responses?.[t.tableName] ?? [];
      return {
        settings: items.find((i) => i.sk === CUSTOMER_SOURCE_KEYS.settingsSk),
        subscription: items.find((i) => i.sk === CUSTOMER_SOURCE_KEYS.subscriptionSk),
      };
    },

    /** The customer's index items as stored now. */
    async readIndex(userId: string): Promise<StoredIndex> {
      const items: Row[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await t.doc.send(
          new QueryCommand({
            TableName: t.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': customerPk(userId) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...((res.Items ?? []) as Row[]));
        start = res.LastEvaluatedKey;
      } while (start);
      return { listing: items.find((i) => i.sk === LISTING_SK), search: items.filter((i) => String(i.sk).startsWith(SEARCH_SK_PREFIX)) };
    },

    /**
     * Brings the stored index to `entry` (undefined: no customer), with the counters it moves, in one
     * transaction conditional on the sources and the listing being as read. `stale` when either
     * changed meanwhile (read again and retry); `unchanged` when the index already says so.
     */
    async apply(userId: string, read: CustomerSources, stored: StoredIndex, entry: CustomerEntry | undefined, now: Date): Promise<ApplyOutcome> {
      const before = stored.listing;
      const wanted = new Map((entry?.partitions ?? []).map((p) => [p, p]));
      const writes: Record<string, unknown>[] = [];
      const sk = entry ? sortKey(entry.listing) : undefined;

      for (const item of stored.search) {
        const p = String(item.sk).slice(SEARCH_SK_PREFIX.length);
        if (!wanted.has(p)) writes.push({ Delete: { TableName: t.tableName, Key: { pk: item.pk, sk: item.sk } } });
        else if (item.gsi2sk === sk && item.terms === entry!.listing.terms) wanted.delete(p);
      }
      for (const p of wanted.keys()) writes.push({ Put: { TableName: t.tableName, Item: searchItem(userId, entry!, p) } });
      const listingSame = !!entry && !!before && before.gsi2sk === sk && LISTING_FIELDS.every((f) => (before[f] ?? null) === (entry.listing[f] ?? null));
      if (writes.length === 0 && (listingSame || (!entry && !before))) return 'unchanged';

      const version = Number(before?.version ?? 0);
      const listingWrite = entry
        ? {
            Put: {
              TableName: t.tableName,
              Item: listingItem(userId, entry, version + 1, now),
              ...(before
                ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            },
          }
        : {
            Delete: { TableName: t.tableName, Key: { pk: customerPk(userId), sk: LISTING_SK }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } },
          };
      const items = [
        sourceCheck(t.tableName, sourceKey(userId, 'settings'), read.settings, SETTINGS_FIELDS),
        sourceCheck(t.tableName, sourceKey(userId, 'subscription'), read.subscription, SUBSCRIPTION_FIELDS),
        ...(listingSame ? [] : [listingWrite]),
        ...writes,
        // The counters this change moves, from what the listing row says was counted.
        ...counterChanges(userId, before, entry, now).map((c) => counterUpdate(t.tableName, c.key, c.changes)),
      ].filter((i) => i !== undefined);
      // The listing row is the guard of every other index write: when it stays as it is, check its version.
      if (listingSame) {
        items.push({ ConditionCheck: { TableName: t.tableName, Key: { pk: customerPk(userId), sk: LISTING_SK }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } } });
      }
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
        return 'applied';
      } catch (err) {
        if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed')) return 'stale';
        throw err;
      }
    },

    /**
     * Loads entries into an index that holds none of these customers yet, many at a time, with their
     * counters summed up (the local bench's seeding; the same items and counts the worker writes).
     */
    async loadFresh(entries: { userId: string; entry: CustomerEntry }[], now: Date): Promise<void> {
      const items: Record<string, unknown>[] = [];
      const counters = new Map<string, CounterChanges>();
      const keys = new Map<string, { pk: string; sk: string }>();
      for (const { userId, entry } of entries) {
        items.push(listingItem(userId, entry, 1, now), ...entry.partitions.map((p) => searchItem(userId, entry, p)));
        for (const c of counterChanges(userId, undefined, entry, now)) {
          keys.set(c.key.sk, c.key);
          addTo(counters, c.key.sk, c.changes);
        }
      }
      await putAll(t, items);
      for (const [sk, changes] of counters) {
        const update = counterUpdate(t.tableName, keys.get(sk)!, changes);
        if (update) await t.doc.send(new UpdateCommand(update.Update));
      }
    },

    /** One page of customers, newest first. */
    async list(input: { limit: number; cursor?: string }): Promise<CustomerPage> {
      return search({ partition: CUSTOMERS_LIST, limit: input.limit, cursor: input.cursor });
    },

    /**
     * One page of the customers whose words start with every one of `words` (folded), newest first.
     * The partition read is the one of the longest word (its first two letters); with only one-letter
     * words, the listing itself. A page may hold fewer items than asked while `nextCursor` is not null:
     * a search reads at most SEARCH_MAX_READS × SEARCH_READ_LIMIT items per request.
     */
    async search(input: { words: string[]; limit: number; cursor?: string }): Promise<CustomerPage> {
      const longest = [...input.words].sort((a, b) => [...b].length - [...a].length)[0]!;
      const partition = [...longest].length >= 2 ? `${SEARCH_LIST_PREFIX}${[...longest].slice(0, 2).join('')}` : CUSTOMERS_LIST;
      return search({ partition, words: input.words, limit: input.limit, cursor: input.cursor });
    },
  };

  async function search(input: { partition: string; words?: string[]; limit: number; cursor?: string }): Promise<CustomerPage> {
    const check = (key: CursorKey) => {
      const m = /^(.+)#([^#]*)$/.exec(key.gsi2sk ?? '');
      if (key.gsi2pk !== input.partition || !m || key.pk !== customerPk(m[2]!)) return false;
      return input.partition === CUSTOMERS_LIST ? key.sk === LISTING_SK : key.sk === `${SEARCH_SK_PREFIX}${input.partition.slice(SEARCH_LIST_PREFIX.length)}`;
    };
    let start: Record<string, unknown> | undefined = decodeCursor(input.cursor, { keys: CURSOR_KEYS, check });
    const words = input.words ?? [];
    const names = words.length ? { '#terms': 'terms' } : undefined;
    const values: Record<string, unknown> = { ':pk': input.partition };
    words.forEach((w, i) => (values[`:w${i}`] = ` ${w}`));
    const filter = words.length ? words.map((_, i) => `contains(#terms, :w${i})`).join(' AND ') : undefined;

    const matches: Row[] = [];
    for (let reads = 0; reads < (filter ? SEARCH_MAX_READS : 1); reads++) {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: filter ? SEARCH_READ_LIMIT : input.limit + 1,
        }),
      );
      matches.push(...((res.Items ?? []) as Row[]));
      start = res.LastEvaluatedKey;
      if (matches.length > input.limit || !start) break;
    }
    const page = matches.slice(0, input.limit);
    const last = page.at(-1);
    // More matches than the page: continue after its last one. Fewer, but the partition not read to
    // its end (the read budget, or DynamoDB's 1 MB page): continue where the reading stopped.
    const next = matches.length > input.limit && last ? { pk: last.pk, sk: last.sk, gsi2pk: last.gsi2pk, gsi2sk: last.gsi2sk } : start;
    const items = input.partition === CUSTOMERS_LIST ? page.map(listingOf) : await listingsOf(page.map((i) => String(i.pk).slice(CUSTOMER_PK_PREFIX.length)));
    return { items, nextCursor: encodeCursor(next) };
  }
}

export type CustomerIndexRepository = ReturnType<typeof customerIndexRepository>;
