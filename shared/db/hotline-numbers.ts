// The hotline number pool: Fonella's local numbers on its Sipgate account, routed to the hotline
// trunk and registered at jambonz on Fonella's carrier, each given to one hotline in its area.
//   HOTLINE_NUMBER#<e164> / NUMBER     a number: free, or assigned (hotline, organisation, since)
//     gsi1 HOTLINE_NUMBERS#AREA#<areaCode> / <status>#<e164>   an area's numbers; a free one of the
//                                       area is the first of `free#+<cc><areaCode>`: one read, however
//                                       many numbers the pool holds
//     gsi2 HOTLINE_NUMBERS / <status>#<e164>                   the admin listing, assigned before free
//   HOTLINE#<id> / HOTLINE             a hotline waiting for a number carries
//     gsi1 HOTLINE_NUMBERS#WAITING#<cc>#<areaCode> / <padded id>: its area's waiting hotlines, first
//                                       created first (ids grow with creation); gone once it has one
//   HOTLINE_AREA#<cc>#<areaCode> / WAITING   exists while hotlines wait in the area: how many, since
//                                       when, and the mark of the admins' email. Its INSERT is what
//                                       the notifyHotlineNumbersWanted worker emails about, once per
//                                       row: one email per area however many hotlines wait there.
//
// Taking a number is one transaction of two conditional writes: the number free → assigned to the
// hotline (condition: still free) and the hotline gets it (condition: it is in the state the caller
// expects and has none yet). So two hotlines never get one number, and no hotline gets two. The index
// is eventually consistent: a candidate already taken fails its condition and the next is tried.
// A hotline starts waiting in one transaction with the ADD to its area's row, and stops (it gets a
// number) in one with the ADD of -1; the area's row is deleted only while its count is 0, so a
// hotline that starts waiting meanwhile keeps the row (and its email mark) or makes a new one.
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { HotlineArea } from '../model/hotline-area';
import type { TableRef } from './client';
import { applied, cancellationReasons, retryingConflicts } from './conditional';
import { padId } from './counters';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor';
import { hotlineKey } from './hotlines';
import { afterPrefix, idOfKeyParser, splitAtFirst } from './keys';
import { putIfAbsent, type PutOutcome } from './put-if-absent';

export type HotlineNumberStatus = 'free' | 'assigned';

export interface HotlineNumberRow extends HotlineArea {
  /** E.164. */
  number: string;
  /** Sipgate's national form, e.g. `030 23125001`. */
  localized: string;
  /** Sipgate's id of the number on Fonella's account (n10...). */
  sipgateNumberId: string;
  /** jambonz's carrier the number is registered on: Fonella's, for the Sipgate hotline trunk. */
  carrierSid: string;
  status: HotlineNumberStatus;
  hotlineId?: number;
  organizationId?: number;
  assignedAt?: string;
  importedAt: string;
}

/** An area where hotlines wait for a number. */
export interface WaitingAreaRow extends HotlineArea {
  /** How many hotlines wait there now. */
  waiting: number;
  /** When the first of them started waiting. */
  since: string;
  /** Mailgun's id of the admins' email about the area, once sent. */
  mailId?: string;
  mailedAt?: string;
}

const NUMBER_PK_PREFIX = 'HOTLINE_NUMBER#';
const LIST_PK = 'HOTLINE_NUMBERS';
const AREA_LIST_PREFIX = 'HOTLINE_NUMBERS#AREA#';
const WAITING_PREFIX = 'HOTLINE_NUMBERS#WAITING#';
/** The stream filter of the waiting areas' rows (the admins' email). */
export const WAITING_AREA_KEYS = { pk: 'HOTLINE_AREA#', sk: 'WAITING' } as const;

export const hotlineNumberKey = (number: string) => ({ pk: `${NUMBER_PK_PREFIX}${number}`, sk: 'NUMBER' });
const areaListKey = (areaCode: string, status: HotlineNumberStatus, number: string) => ({ gsi1pk: `${AREA_LIST_PREFIX}${areaCode}`, gsi1sk: `${status}#${number}` });
const listKey = (status: HotlineNumberStatus, number: string) => ({ gsi2pk: LIST_PK, gsi2sk: `${status}#${number}` });
const waitingKey = (area: HotlineArea, hotlineId: number) => ({ gsi1pk: `${WAITING_PREFIX}${area.countryCode}#${area.areaCode}`, gsi1sk: padId(hotlineId) });
const waitingAreaKey = (area: HotlineArea) => ({ pk: `${WAITING_AREA_KEYS.pk}${area.countryCode}#${area.areaCode}`, sk: WAITING_AREA_KEYS.sk });

const DIGITS = /^[0-9]+$/;
/** The area a waiting area's keys (a stream record's) name. */
export const waitingAreaOfKey = idOfKeyParser<HotlineArea>(
  'an area waiting for hotline numbers',
  ({ pk }) => {
    const [countryCode, areaCode] = splitAtFirst(afterPrefix(pk, WAITING_AREA_KEYS.pk), '#');
    const digits = (v: string | undefined) => (v !== undefined && DIGITS.test(v) ? v : undefined);
    return { countryCode: digits(countryCode), areaCode: digits(areaCode) };
  },
  waitingAreaKey,
);

/** A free number of an area, as a hotline takes it. */
export interface FreeNumber {
  number: string;
  carrierSid: string;
}

export type TakeOutcome = 'taken' | 'number-gone' | 'hotline-not-ready';

const NUMBER_FIELDS = ['number', 'localized', 'countryCode', 'areaCode', 'sipgateNumberId', 'carrierSid', 'status', 'hotlineId', 'organizationId', 'assignedAt', 'importedAt'] as const;
const numberOf = (item: Record<string, unknown>) =>
  Object.fromEntries(NUMBER_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as unknown as HotlineNumberRow;

export interface HotlineNumberPage {
  items: HotlineNumberRow[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

const SORT_KEY = /^(free|assigned)#(\+[1-9][0-9]{1,14})$/;

/** Whether a decoded cursor is a key of this listing (its index partition, its status, a number's own row). */
function isListCursor(key: CursorKey, input: { status?: HotlineNumberStatus; areaCode?: string }): boolean {
  const [pkName, skName] = input.areaCode === undefined ? (['gsi2pk', 'gsi2sk'] as const) : (['gsi1pk', 'gsi1sk'] as const);
  const partition = input.areaCode === undefined ? LIST_PK : `${AREA_LIST_PREFIX}${input.areaCode}`;
  const m = SORT_KEY.exec(key[skName] ?? '');
  if (key[pkName] !== partition || !m) return false;
  // A cursor of one status's listing does not start another's.
  if (input.status !== undefined && m[1] !== input.status) return false;
  const own = hotlineNumberKey(m[2]!);
  return key.pk === own.pk && key.sk === own.sk;
}

export function hotlineNumbersRepository(t: TableRef) {
  return {
    /** Stores the number unless the pool has it already; then answers the row as it is (ALL_OLD). */
    async importNumber(row: HotlineNumberRow): Promise<PutOutcome<HotlineNumberRow>> {
      return putIfAbsent<HotlineNumberRow>(t, {
        ...hotlineNumberKey(row.number),
        ...areaListKey(row.areaCode, row.status, row.number),
        ...listKey(row.status, row.number),
        entity: 'hotlineNumber',
        ...row,
      });
    },

    /** Up to `limit` free numbers of the area, by number (the index may still list one just taken). */
    async freeNumbers(area: HotlineArea, limit: number): Promise<FreeNumber[]> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :free)',
          ExpressionAttributeValues: { ':pk': `${AREA_LIST_PREFIX}${area.areaCode}`, ':free': `free#+${area.countryCode}${area.areaCode}` },
          ProjectionExpression: '#n, carrierSid',
          ExpressionAttributeNames: { '#n': 'number' },
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => ({ number: String(i.number), carrierSid: String(i.carrierSid) }));
    },

    /**
     * Gives `number` (free, of the hotline's area) to the hotline, atomically. `from` is the state the
     * hotline must be in: `provisioning` (created or failed: the worker) or `waiting` (an import serving
     * the area's waiting hotlines; it goes back to `created` and leaves the area's count). Answers
     * `taken`, `number-gone` (another hotline was first: try the next) or `hotline-not-ready` (it has a
     * number already, or is in another state).
     */
    async take(input: { number: FreeNumber; hotlineId: number; organizationId: number; area: HotlineArea; from: 'provisioning' | 'waiting'; now: string }): Promise<TakeOutcome> {
      const { number, carrierSid } = input.number;
      const waiting = input.from === 'waiting';
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        {
          Update: {
            TableName: t.tableName,
            Key: hotlineNumberKey(number),
            UpdateExpression: 'SET #s = :assigned, hotlineId = :h, organizationId = :o, assignedAt = :now, gsi1sk = :s1, gsi2sk = :s2',
            ConditionExpression: '#s = :free',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':assigned': 'assigned',
              ':free': 'free',
              ':h': input.hotlineId,
              ':o': input.organizationId,
              ':now': input.now,
              ':s1': areaListKey(input.area.areaCode, 'assigned', number).gsi1sk,
              ':s2': listKey('assigned', number).gsi2sk,
            },
          },
        },
        {
          Update: {
            TableName: t.tableName,
            Key: hotlineKey(input.hotlineId),
            UpdateExpression: waiting ? 'SET #n = :n, carrierSid = :c, #s = :created REMOVE gsi1pk, gsi1sk' : 'SET #n = :n, carrierSid = :c',
            ConditionExpression: waiting ? '#s = :waiting AND attribute_not_exists(#n)' : '#s IN (:created, :failed) AND attribute_not_exists(#n)',
            ExpressionAttributeNames: { '#n': 'number', '#s': 'status' },
            ExpressionAttributeValues: { ':n': number, ':c': carrierSid, ':created': 'created', ...(waiting ? { ':waiting': 'waiting-for-number' } : { ':failed': 'failed' }) },
          },
        },
        ...(waiting
          ? [
              {
                Update: {
                  TableName: t.tableName,
                  Key: waitingAreaKey(input.area),
                  UpdateExpression: 'ADD waiting :less',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':less': -1 },
                },
              },
            ]
          : []),
      ];
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return 'taken';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'hotline-not-ready';
        // Taken meanwhile, or a concurrent transaction on the number: the caller tries the next one.
        if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict')) return 'number-gone';
        throw err;
      }
    },

    /**
     * The hotline (created or failed, without a number) waits for a number of its area, counted on
     * the area's row (made now when no hotline waited there: its INSERT brings the admins' email).
     * False when the hotline was not in that state.
     */
    async startWaiting(input: { hotlineId: number; area: HotlineArea; now: string }): Promise<boolean> {
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        {
          Update: {
            TableName: t.tableName,
            Key: hotlineKey(input.hotlineId),
            UpdateExpression: 'SET #s = :waiting, gsi1pk = :wpk, gsi1sk = :wsk',
            ConditionExpression: '#s IN (:created, :failed) AND attribute_not_exists(#n)',
            ExpressionAttributeNames: { '#s': 'status', '#n': 'number' },
            ExpressionAttributeValues: {
              ':waiting': 'waiting-for-number',
              ':created': 'created',
              ':failed': 'failed',
              ':wpk': waitingKey(input.area, input.hotlineId).gsi1pk,
              ':wsk': waitingKey(input.area, input.hotlineId).gsi1sk,
            },
          },
        },
        {
          Update: {
            TableName: t.tableName,
            Key: waitingAreaKey(input.area),
            UpdateExpression: 'SET entity = :e, countryCode = :cc, areaCode = :ac, since = if_not_exists(since, :now) ADD waiting :one',
            ExpressionAttributeValues: { ':e': 'hotlineWaitingArea', ':cc': input.area.countryCode, ':ac': input.area.areaCode, ':now': input.now, ':one': 1 },
          },
        },
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        if (cancellationReasons(err)?.[0]?.Code === 'ConditionalCheckFailed') return false;
        throw err;
      }
    },

    /** Up to `limit` ids of the hotlines waiting in the area, first created first (the index may lag a moment). */
    async waitingHotlines(area: HotlineArea, limit: number): Promise<{ hotlineId: number; organizationId: number }[]> {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': waitingKey(area, 0).gsi1pk },
          ProjectionExpression: '#id, organizationID',
          ExpressionAttributeNames: { '#id': 'id' },
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => ({ hotlineId: Number(i.id), organizationId: Number(i.organizationID) }));
    },

    /** Deletes the area's row once no hotline waits there (a count of 0); false while some do. */
    closeWaitingArea: (area: HotlineArea) =>
      applied(
        t.doc.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: waitingAreaKey(area),
            ConditionExpression: 'attribute_exists(pk) AND waiting <= :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        ),
      ),

    /** The area's row as it is now (strongly consistent: a retried record must see its own mark). */
    async waitingArea(area: HotlineArea): Promise<WaitingAreaRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: waitingAreaKey(area), ConsistentRead: true }));
      if (!res.Item) return undefined;
      const i = res.Item;
      return {
        countryCode: String(i.countryCode),
        areaCode: String(i.areaCode),
        waiting: Number(i.waiting),
        since: String(i.since),
        ...(typeof i.mailId === 'string' ? { mailId: i.mailId } : {}),
        ...(typeof i.mailedAt === 'string' ? { mailedAt: i.mailedAt } : {}),
      };
    },

    /** Marks the admins' email about the area sent; false when it was marked already (or the row is gone). */
    markWaitingAreaMailed: (area: HotlineArea, mailId: string, at: string) =>
      applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: waitingAreaKey(area),
            UpdateExpression: 'SET mailId = :id, mailedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mailId)',
            ExpressionAttributeValues: { ':id': mailId, ':at': at },
          }),
        ),
      ),

    /**
     * One page of the pool, optionally of one area (gsi1) and/or one status; assigned before free,
     * each by number. A cursor not given out by this listing (this area, this status) is an
     * InvalidCursorError. One row more than the page is read, so the last page says so.
     */
    async list(input: { limit: number; cursor?: string; status?: HotlineNumberStatus; areaCode?: string }): Promise<HotlineNumberPage> {
      const byArea = input.areaCode !== undefined;
      const [pkName, skName] = byArea ? (['gsi1pk', 'gsi1sk'] as const) : (['gsi2pk', 'gsi2sk'] as const);
      const start = decodeCursor(input.cursor, { keys: ['pk', 'sk', pkName, skName], check: (key) => isListCursor(key, input) });
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: byArea ? 'gsi1' : 'gsi2',
          KeyConditionExpression: input.status === undefined ? `${pkName} = :pk` : `${pkName} = :pk AND begins_with(${skName}, :status)`,
          ExpressionAttributeValues: {
            ':pk': byArea ? `${AREA_LIST_PREFIX}${input.areaCode}` : LIST_PK,
            ...(input.status === undefined ? {} : { ':status': `${input.status}#` }),
          },
          ExclusiveStartKey: start,
          Limit: input.limit + 1,
        }),
      );
      const rows = (res.Items ?? []) as Record<string, unknown>[];
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      const next =
        rows.length > input.limit && last ? { pk: last.pk, sk: last.sk, [pkName]: last[pkName], [skName]: last[skName] } : res.LastEvaluatedKey;
      return { items: items.map(numberOf), nextCursor: encodeCursor(next) };
    },
  };
}

export type HotlineNumbersRepository = ReturnType<typeof hotlineNumbersRepository>;
