// Pool numbers: Fonella's own numbers on its Sipgate trunk, handed to customers whose plan includes
// one. POOL#<e164> / NUMBER, listed through gsi2 (POOL, <status>#<e164>): the free ones first, which
// is also how an assignment finds candidates. A user's assignment is USER#<sub> / INTEGRATION#POOL.
//
// An assignment is one transaction of two conditional writes: the number goes from free to the user
// (condition: still free) and the user's INTEGRATION#POOL row is created (condition: none yet). So two
// users never get the same number and no user gets two, however many requests run at once; and only
// while the user has no teardown record (`accountOpenCheck`, else AccountClosedError), so a request
// still running when the account's deletion is asked for takes no number after the teardown gave the
// lines back. The index is eventually consistent, so a candidate may already be gone: the next one is
// tried.
//
// A user whose plan includes a number and whose assistant found none free **waits** for one:
// USER#<sub> / POOL_WAITING, listed through gsi1 (POOL_WAITING, <since>#<sub>), so the waiting users
// are read in the order they started waiting. The marker is written (only while the account is open)
// when the assistant is saved or the plan starts to include a number and the pool has none free, and
// goes in the transaction that gives the user a number, or when the plan no longer includes one, or
// when the account's teardown removes its phone lines (`remove-phone-lines`, before the lines go). The assignPoolNumbers worker serves the
// waiting users from each number that becomes free (an import's, or one given back).
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AccountClosedError } from '../errors';
import type { TableRef } from './client';
import { cancellationReasons } from './conditional';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor';
import { putIfAbsent, type PutOutcome } from './put-if-absent';
import { INTEGRATION_SK_PREFIX, afterPrefix, idOfKeyParser, userPk } from './keys';
import { accountOpenCheck } from './teardowns';

export type PoolStatus = 'free' | 'assigned';

export interface PoolNumberRow {
  /** E.164. */
  number: string;
  /** Sipgate's id of the number on Fonella's account (n10...). */
  sipgateNumberId: string;
  status: PoolStatus;
  /** The user it is assigned to. */
  userId?: string;
  assignedAt?: string;
  importedAt: string;
}

/** The user's pool line: the number and, once the bindPoolNumber worker has made it, Vapi's phone number. */
export interface PoolLineRow {
  number: string;
  assistantId: string;
  createdAt: string;
  /** Vapi's id of the BYO phone number on the shared trunk credential, once bound. */
  vapiPhoneNumberId?: string;
  boundAt?: string;
}

export const POOL_PK_PREFIX = 'POOL#';
const POOL_NUMBER_SK = 'NUMBER';
/** The stream filter of the pool's numbers. */
export const POOL_NUMBER_KEYS = { pk: POOL_PK_PREFIX, sk: POOL_NUMBER_SK } as const;
/** A user waiting for a number: the row's sort key, and its gsi1 partition (the waiting list). */
export const POOL_WAITING_SK = 'POOL_WAITING';
const POOL_WAITING_LIST = 'POOL_WAITING';
export const POOL_LIST = 'POOL';
export const POOL_LINE_SK = `${INTEGRATION_SK_PREFIX}POOL`;

export const poolKey = (number: string) => ({ pk: `${POOL_PK_PREFIX}${number}`, sk: POOL_NUMBER_SK });
export const poolListKey = (status: PoolStatus, number: string) => ({ gsi2pk: POOL_LIST, gsi2sk: `${status}#${number}` });
export const poolLineKey = (userId: string) => ({ pk: userPk(userId), sk: POOL_LINE_SK });
export const poolWaitingKey = (userId: string) => ({ pk: userPk(userId), sk: POOL_WAITING_SK });
const waitingListKey = (since: string, userId: string) => ({ gsi1pk: POOL_WAITING_LIST, gsi1sk: `${since}#${userId}` });

const E164 = /^\+[1-9][0-9]{1,14}$/;
/** The number a pool row's keys (a stream record's) name. */
export const poolNumberOfKey = idOfKeyParser<{ number: string }>(
  'a pool number',
  ({ pk }) => {
    const number = afterPrefix(pk, POOL_PK_PREFIX);
    return { number: number !== undefined && E164.test(number) ? number : undefined };
  },
  ({ number }) => poolKey(number),
);

/** A user waiting for a pool number, since when. */
export interface PoolWaitingRow {
  userId: string;
  since: string;
}

/** How many candidates one round reads, and how many rounds an assignment tries before it reports none free. */
const CANDIDATES_PER_ROUND = 10;
const MAX_ROUNDS = 10;

/** Giving one given number to a user: it is theirs, it was taken (or is not free), or they have a line. */
export type AssignNumberOutcome = 'assigned' | 'number-gone' | 'has-line';

export type AssignOutcome =
  | { assigned: true; number: string }
  /** The user already had a line (another request made it): that number. */
  | { assigned: false; existing: string }
  | { assigned: false; existing?: undefined };

export function poolAssignments(t: TableRef) {
  /**
   * The one transaction of an assignment: the number free → the user's, the user's line created, the
   * account open, and the user's waiting marker gone (if any).
   */
  const tryAssign = async (input: { userId: string; assistantId: string; number: string; now: string }): Promise<{ kind: 'assigned' } | { kind: 'number-gone' } | { kind: 'has-line'; existing?: string }> => {
    const { number } = input;
    const line: PoolLineRow = { number, assistantId: input.assistantId, createdAt: input.now };
    try {
      await t.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: t.tableName,
                Key: poolKey(number),
                UpdateExpression: 'SET #s = :assigned, userId = :u, assignedAt = :now, gsi2sk = :sk',
                ConditionExpression: '#s = :free',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: {
                  ':assigned': 'assigned',
                  ':free': 'free',
                  ':u': input.userId,
                  ':now': input.now,
                  ':sk': poolListKey('assigned', number).gsi2sk,
                },
              },
            },
            {
              Put: {
                TableName: t.tableName,
                Item: { ...poolLineKey(input.userId), entity: 'poolLine', ...line },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            accountOpenCheck(t, input.userId),
            { Delete: { TableName: t.tableName, Key: poolWaitingKey(input.userId) } },
          ],
        }),
      );
      return { kind: 'assigned' };
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[2]?.Code === 'ConditionalCheckFailed') throw new AccountClosedError(input.userId);
      // The user's line exists: another request assigned them a number first.
      const lineReason = reasons[1];
      if (lineReason?.Code === 'ConditionalCheckFailed') {
        const existing = lineReason.Item ? (unmarshall(lineReason.Item) as Partial<PoolLineRow>).number : undefined;
        return { kind: 'has-line', ...(existing ? { existing } : {}) };
      }
      // The number was taken (or a concurrent transaction touched it).
      if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'number-gone' };
      throw err;
    }
  };

  const freeCandidates = async (): Promise<string[]> => {
    const res = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :free)',
        ExpressionAttributeValues: { ':pk': POOL_LIST, ':free': 'free#' },
        ProjectionExpression: '#n',
        ExpressionAttributeNames: { '#n': 'number' },
        Limit: CANDIDATES_PER_ROUND,
      }),
    );
    return (res.Items ?? []).map((i) => String(i.number));
  };

  return {
    /**
     * Gives the user a free number and writes their pool line, atomically; `assistantId` is what the
     * number will ring. Answers the number, the user's existing one, or that none is free;
     * AccountClosedError when the account is being deleted.
     */
    async assignFree(input: { userId: string; assistantId: string; now: string }): Promise<AssignOutcome> {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        // After a round lost to concurrent requests, a short random pause spreads the next tries.
        if (round > 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * round));
        const candidates = shuffle(await freeCandidates());
        if (candidates.length === 0) return { assigned: false };
        for (const number of candidates) {
          const outcome = await tryAssign({ ...input, number });
          if (outcome.kind === 'assigned') return { assigned: true, number };
          if (outcome.kind === 'has-line') return outcome.existing ? { assigned: false, existing: outcome.existing } : { assigned: false };
          // The number was taken meanwhile: try the next one.
        }
      }
      return { assigned: false };
    },

    /**
     * Gives this number (when still free) to the user, as `assignFree` does: `assigned`, `number-gone`
     * (taken, or not free), `has-line` (the user has a number); AccountClosedError for an account
     * being deleted.
     */
    async assignNumber(input: { userId: string; assistantId: string; number: string; now: string }): Promise<AssignNumberOutcome> {
      return (await tryAssign(input)).kind;
    },

    /**
     * The user starts waiting for a number, unless they wait already (their place is kept): false when
     * they did. Only while the account is open (else AccountClosedError).
     */
    async startWaiting(userId: string, since: string): Promise<boolean> {
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: t.tableName,
                  Item: { ...poolWaitingKey(userId), ...waitingListKey(since, userId), entity: 'poolWaiting', userId, since },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              accountOpenCheck(t, userId),
            ],
          }),
        );
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new AccountClosedError(userId);
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
        throw err;
      }
    },

    /** The user waits no longer (served elsewhere, or their plan no longer includes a number). */
    async stopWaiting(userId: string): Promise<void> {
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: poolWaitingKey(userId) }));
    },

    /**
     * Who waits, first come first (gsi1, eventually consistent: a user who just started waiting may
     * not be listed yet, one just served may still be). `after` continues after a page's last row.
     */
    async waiting(input: { limit: number; after?: PoolWaitingRow }): Promise<PoolWaitingRow[]> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': POOL_WAITING_LIST },
          ...(input.after
            ? { ExclusiveStartKey: { ...poolWaitingKey(input.after.userId), ...waitingListKey(input.after.since, input.after.userId) } }
            : {}),
          Limit: input.limit,
        }),
      );
      return (res.Items ?? []).map((i) => ({ userId: String(i.userId), since: String(i.since) }));
    },
  };
}

export type PoolAssignments = ReturnType<typeof poolAssignments>;


function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// --- The pool as the admin dashboard keeps it: numbers imported from the trunk, and their listing ---
// An import is one conditional put per number (created, or left exactly as it is: an assigned number
// stays assigned). The listing reads gsi2's POOL partition in sort-key order (`assigned#…` before
// `free#…`, each by number), or one status's prefix of it; its cursor is the last row's key.

export interface PoolPage {
  items: PoolNumberRow[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/** A listing cursor's key: a pool number's own row, as gsi2 knows it. */
const POOL_CURSOR_KEYS = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
const POOL_LIST_SORT_KEY = /^(free|assigned)#(\+[1-9][0-9]{1,14})$/;

function isPoolCursor(key: CursorKey, status: PoolStatus | undefined): boolean {
  const m = POOL_LIST_SORT_KEY.exec(key.gsi2sk ?? '');
  if (key.gsi2pk !== POOL_LIST || !m) return false;
  // A cursor of one status's listing does not start another's (the table would refuse the query).
  if (status !== undefined && m[1] !== status) return false;
  const own = poolKey(m[2]!);
  return key.pk === own.pk && key.sk === own.sk;
}

const poolNumberOf = (item: Record<string, unknown>): PoolNumberRow => ({
  number: String(item.number),
  sipgateNumberId: String(item.sipgateNumberId),
  status: item.status as PoolStatus,
  ...(typeof item.userId === 'string' ? { userId: item.userId } : {}),
  ...(typeof item.assignedAt === 'string' ? { assignedAt: item.assignedAt } : {}),
  importedAt: String(item.importedAt),
});

export function poolRepository(t: TableRef) {
  return {
    /** Stores the number unless the pool has it already; then answers the row as it is (ALL_OLD). */
    async importNumber(row: PoolNumberRow): Promise<PutOutcome<PoolNumberRow>> {
      return putIfAbsent<PoolNumberRow>(t, { ...poolKey(row.number), entity: 'poolNumber', ...poolListKey(row.status, row.number), ...row });
    },

    /**
     * One page of pool numbers, optionally of one status. A cursor not given out by this listing
     * (for this status) is an InvalidCursorError. One row more than the page is read, so the last
     * page says so (nextCursor null) instead of leading to an empty one.
     */
    async list(input: { limit: number; cursor?: string; status?: PoolStatus }): Promise<PoolPage> {
      const start = decodeCursor(input.cursor, { keys: POOL_CURSOR_KEYS, check: (key) => isPoolCursor(key, input.status) });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: input.status === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND begins_with(gsi2sk, :status)',
          ExpressionAttributeValues: { ':pk': POOL_LIST, ...(input.status === undefined ? {} : { ':status': `${input.status}#` }) },
          ExclusiveStartKey: start,
          Limit: input.limit + 1,
        }),
      );
      const rows = (res.Items ?? []) as Record<string, unknown>[];
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      // More rows than the page: continue after its last one. Fewer with a LastEvaluatedKey: the
      // query stopped at DynamoDB's 1 MB bound, continue where it did.
      const next =
        rows.length > input.limit && last
          ? { pk: last.pk, sk: last.sk, gsi2pk: last.gsi2pk, gsi2sk: last.gsi2sk }
          : res.LastEvaluatedKey;
      return { items: items.map(poolNumberOf), nextCursor: encodeCursor(next) };
    },
  };
}

export type PoolRepository = ReturnType<typeof poolRepository>;
