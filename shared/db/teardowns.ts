// Account deletion: USER#<sub> / TEARDOWN, one record per deleted account. While the teardown runs
// (`status: running`) it lists what is to be removed and which steps are done; once every step is
// done it becomes the account's tombstone (`status: done`): the personal fields are taken off, and a
// TTL keeps it as long as a token issued before the deletion can be presented. Every authenticated
// request reads its status first (`accountState`, one GetItem; a route that reads the caller's rows
// reads it with them: `accountStateRead`, or its partition's Query), so a running teardown answers 409
// and a done one 410, and no route writes the account's rows again.
//
// The teardown's table step deletes the rest of the partition generically (`partition`, then
// `deleteKeys`), so row kinds added later are removed without being named here. The gate checks only
// the caller, and before its request writes: so a transaction that writes into a user's partition
// (another user's above all) carries `accountOpenCheck`, a condition that the user has no record, and
// nothing lands in an account being deleted or deleted, whatever ran meanwhile.
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deleteAll } from './batch';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import { queryAll } from './query-all';
import { applied, cancellationReasons, retryingConflicts } from './conditional';
import { USER_PK_PREFIX, idOfKeyParser, userIdOfPk, userPk } from './keys';

export const TEARDOWN_SK = 'TEARDOWN';
/** The stream filter of the records. */
export const TEARDOWN_KEYS = { pk: USER_PK_PREFIX, sk: TEARDOWN_SK } as const;

const key = (userId: string) => ({ pk: userPk(userId), sk: TEARDOWN_SK });

/** The account a teardown record's keys name (a stream record's). */
export const teardownIdOfKey = idOfKeyParser<{ userId: string }>('a teardown record', ({ pk }) => ({ userId: userIdOfPk(pk) }), ({ userId }) => key(userId));

/**
 * The transaction item that holds only while `userId` has no teardown record (running or done): put it
 * beside every write into that user's partition. Its position in the transaction tells its failure
 * from the others' (`cancellationReasons`).
 */
export function accountOpenCheck(t: TableRef, userId: string) {
  return { ConditionCheck: { TableName: t.tableName, Key: key(userId), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * The user's account state (their record's status; undefined: open), read with other rows
 * (shared/db/get-items.ts): a route that reads the caller's rows by key checks the account in that read.
 */
export const accountStateRead = (userId: string): ItemRead<TeardownStatus | undefined> => ({
  key: key(userId),
  of: (item) => item?.status as TeardownStatus | undefined,
});

/** Every teardown, newest first (gsi2): what the local hub shows. */
const TEARDOWN_LIST = 'TEARDOWNS';
const listKey = (row: Pick<TeardownRow, 'requestedAt' | 'userId'>) => ({ gsi2pk: TEARDOWN_LIST, gsi2sk: `${row.requestedAt}#${row.userId}` });

export type TeardownStatus = 'running' | 'done';

/** Who asked: the user themself, an admin (by id, kept on the tombstone), or the owner of the team the user was in (`ownerId`). */
export type TeardownRequester = { kind: 'self' } | { kind: 'admin'; adminId: string } | { kind: 'owner' };

/** One provider resource (or pool number) the teardown removes, as the user's rows named it. */
export interface TeardownResource {
  provider: 'stripe' | 'vapi' | 'sipgate' | 'table' | 'auth0';
  kind: string;
  id: string;
}

export interface TeardownRow {
  userId: string;
  teardownId: string;
  status: TeardownStatus;
  requestedAt: string;
  requestedBy: TeardownRequester;
  /** The step names, in order. */
  steps: string[];
  /** Each step done, with when. */
  done: Record<string, string>;
  /** Team members torn down with this account (each has their own record), and when each finished (not on the tombstone). */
  members?: string[];
  membersDone?: Record<string, string>;
  /** A member's owner, whose record learns when this one finishes. */
  ownerId?: string;
  completedAt?: string;
  /** Only while running (the tombstone keeps none of them): */
  email?: string | null;
  locale?: string;
  subscriptionId?: string;
  assistantId?: string;
  resources?: TeardownResource[];
  /** Mailgun's id of the confirmation, once sent. */
  mailId?: string;
  ttl?: number;
}

/** The fields taken off when the record becomes the tombstone: its own data and other accounts' ids. */
const PERSONAL_FIELDS = ['email', 'locale', 'subscriptionId', 'assistantId', 'resources', 'members', 'membersDone', 'ownerId'] as const;

export interface PartitionRow {
  pk: string;
  sk: string;
  [field: string]: unknown;
}

const strip = (item: Record<string, unknown>): TeardownRow => {
  const { pk: _pk, sk: _sk, gsi2pk: _lp, gsi2sk: _ls, entity: _e, ...rest } = item;
  return rest as unknown as TeardownRow;
};

export function teardownsRepository(t: TableRef) {
  const partition = (userId: string) =>
    queryAll<PartitionRow>(t, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': userPk(userId) }, ConsistentRead: true });

  return {
    /** The status of the user's teardown, if any: one strongly consistent GetItem of one attribute. */
    async accountState(userId: string): Promise<TeardownStatus | undefined> {
      const res = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: key(userId), ConsistentRead: true, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'status' } }),
      );
      return res.Item?.status as TeardownStatus | undefined;
    },

    /** The record as it is now (strongly consistent: a retried record must see its own marks). */
    async get(userId: string): Promise<TeardownRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(userId), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /**
     * Writes the records of one request (the account's and its team members') in one transaction, each
     * only where the user has none yet. False (nothing written) when one of them has a record already.
     */
    async create(rows: TeardownRow[]): Promise<boolean> {
      try {
        // Retried when it meets a transaction that checks one of these records (accountOpenCheck).
        await retryingConflicts(() =>
          t.doc.send(
            new TransactWriteCommand({
              TransactItems: rows.map((row) => ({
                Put: { TableName: t.tableName, Item: { ...key(row.userId), ...listKey(row), entity: 'teardown', ...row }, ConditionExpression: 'attribute_not_exists(pk)' },
              })),
            }),
          ),
        );
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
        throw err;
      }
    },

    /** Marks a step done (with fields the step learned); false when it was marked already or the record is another. */
    async markStep(userId: string, teardownId: string, step: string, at: string, fields: Partial<TeardownRow> = {}): Promise<boolean> {
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: `SET done.#step = :at${entries.map((_, i) => `, #f${i} = :v${i}`).join('')}`,
            ConditionExpression: 'teardownId = :id AND attribute_not_exists(done.#step)',
            ExpressionAttributeNames: { '#step': step, ...Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])) },
            ExpressionAttributeValues: { ':at': at, ':id': teardownId, ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])) },
          }),
        ),
      );
    },

    /** Tells an owner's record that one of its members' teardowns finished (its MODIFY wakes the owner's). */
    async markMemberDone(ownerId: string, memberId: string, at: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(ownerId),
            UpdateExpression: 'SET membersDone.#m = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(membersDone.#m)',
            ExpressionAttributeNames: { '#m': memberId },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    /** Makes the finished record the tombstone: status done, the personal fields off, a TTL. */
    async complete(userId: string, teardownId: string, at: string, ttl: number): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(userId),
            UpdateExpression: `SET #s = :done, completedAt = :at, #ttl = :ttl REMOVE ${PERSONAL_FIELDS.join(', ')}`,
            ConditionExpression: 'teardownId = :id AND #s = :running',
            ExpressionAttributeNames: { '#s': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':done': 'done', ':running': 'running', ':at': at, ':ttl': ttl, ':id': teardownId },
          }),
        ),
      );
    },

    /** The latest teardowns, newest first (gsi2; eventually consistent). */
    async latest(limit = 50): Promise<TeardownRow[]> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': TEARDOWN_LIST },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => strip(i));
    },

    /** Every row of the user's partition, strongly consistent (the record itself included). */
    partition: (userId: string) => partition(userId),

    /** The user's partition in one strongly consistent Query: their record (if any) and the other rows. */
    async partitionWithRecord(userId: string): Promise<{ record?: TeardownRow; rows: PartitionRow[] }> {
      const all = await partition(userId);
      const at = all.findIndex((r) => r.sk === TEARDOWN_SK);
      return at < 0 ? { rows: all } : { record: strip(all[at]!), rows: all.filter((_, i) => i !== at) };
    },

    /** Deletes the given rows (25 per BatchWriteItem); throws when some are still left after retries. */
    deleteKeys: (keys: { pk: string; sk: string }[]): Promise<number> => deleteAll(t, keys),
  };
}

export type TeardownsRepository = ReturnType<typeof teardownsRepository>;
