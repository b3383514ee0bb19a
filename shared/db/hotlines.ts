// Hotlines, their call logs and billing records.
//   HOTLINE#<id> / HOTLINE            the hotline; gsi2 ORG#<orgId>#HOTLINE_POSITIONS / <position>: an organisation's hotlines
//   HOTLINE#<id> / CALL_LOG#<logId>   one call: start, jambonz's call sid, caller, entries (appended), recordId once billed;
//                                     gsi2 HOTLINE#<id>#CALL_LOG_POSITIONS / <position>: the hotline's logs
//   HOTLINE#<id> / RECORD#<recordId>  the billing record of one completed call; gsi2 HOTLINE#<id>#RECORD_POSITIONS / <position>
//   HOTLINE#<id> / POSITION#callLogs, POSITION#records   the last position given in each list (shared/db/positions.ts)
//   JAMBONZ_CALL#<callSid> / REF      { hotlineID, logID }: jambonz's call → its log (webhooks name calls by sid)
//   ORG#<orgId> / QUOTA#hotlines      the organisation's hotline count (their positions) and `hotlineIds`, the
//                                     set of their ids (added in each hotline's creation), read consistently
//                                     where every hotline of it counts (the ring lists' worker:
//                                     shared/domain/ring-lists.ts, which also adds a hotline made before the set)
// The call hook reads a hotline's rows by key with its other rows in one BatchGetItem (`hotlineRead`,
// `callRefRead`, `logsPositionRead`) and starts a call's log in a transaction with the call's channel
// lease (`callLogStartItems`, `logsPositionTake`): shared/db/hotline-calls.ts.
// The provisioning worker reacts to HOTLINE rows whose status becomes `created` (HOTLINE_KEYS). A
// hotline's number comes from the hotline number pool (shared/db/hotline-numbers.ts), which writes the
// number onto the row, and the row's gsi1 while it waits for one, in its own transactions.
// A new hotline counts against its organisation's quota (shared/db/quotas.ts) in the same transaction,
// and that count is its position. The three lists are offset pages (the hotline API's): a row's
// position (1, 2, 3, … in creation order, which is id order) is taken with it, so a page is one Query
// of a range of positions and a list's total is its counter; positions are zero-padded in the sort key.
// Rows written before this layout have no position and are in no page; a total counts what its
// counter counted (logs and records since this layout, hotlines since the quotas). Numbering them is a
// bounded one-off job, not written: per list, every row in id order from 1 (hotlines made since move up
// behind the older ones), then the counter set to the count (the quota then counts the hotlines from
// before it too), the list's writes held meanwhile. Assumed here: no stage holds hotline rows from
// before this layout (the local stack starts empty).
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import { applied, cancellationReasons, conditionFailed, isConditionFailure } from './conditional';
import { nextId, padId } from './counters';
import { afterPrefix, idOfKeyParser } from './keys';
import { ORG_PK_PREFIX } from './organizations';
import { MOVED, atNextPosition, lastPosition, lastPositionRead, pagePositions, positionCounter, positionCounterItem, positionMoved, positionTake, type PositionCounter } from './positions';
import { quotaCounter } from './quotas';

export type HotlineState = 'created' | 'active' | 'failed' | 'waiting-for-number';

export interface HotlineRow {
  id: number;
  organizationID: number;
  name: string;
  agents: number[];
  channelsInbound: number;
  channelsOutbound: number;
  isActive: boolean;
  /**
   * Provisioning: `created` until the number and the jambonz application exist, then `active`;
   * `failed` (with the reason) while retried; `waiting-for-number` while the pool has no free number
   * in its area (an import of one for the area puts it back to `created`, with the number).
   */
  status: HotlineState;
  failureReason?: string;
  ttsInbound: string;
  ttsOutbound: string;
  /** From the hotline number pool, with the jambonz carrier it is registered on. */
  number?: string;
  carrierSid?: string;
  applicationSid?: string;
  phoneNumberSid?: string;
  createdAt: string;
  updatedAt: string;
}

/** A page of a list and the list's length. */
export interface Page<T> {
  items: T[];
  total: number;
}

export type HotlineEdit = Pick<HotlineRow, 'name' | 'agents' | 'channelsInbound' | 'channelsOutbound' | 'isActive' | 'ttsInbound' | 'ttsOutbound' | 'updatedAt'>;

export interface CallLogEntryRow {
  action: string;
  agentPhone: string | null;
  userID: number | null;
  startTime: string;
}

export interface CallLogRow {
  id: number;
  hotlineID: number;
  callSid: string;
  from: string | null;
  startTime: string;
  entries: CallLogEntryRow[];
  recordId?: number;
}

export interface RecordRow {
  id: number;
  hotlineID: number;
  callLogID: number;
  destinationNumber: string;
  timeStart: string;
  timeEnd: string;
  price: number;
}

export const HOTLINE_PK_PREFIX = 'HOTLINE#';
/** The stream filter of the hotline rows (not their logs or records). */
export const HOTLINE_KEYS = { pk: HOTLINE_PK_PREFIX, sk: 'HOTLINE' } as const;

const hotlinePk = (id: number) => `${HOTLINE_PK_PREFIX}${id}`;
export const hotlineKey = (id: number) => ({ pk: hotlinePk(id), sk: HOTLINE_KEYS.sk });
const logKey = (hotlineID: number, id: number) => ({ pk: hotlinePk(hotlineID), sk: `CALL_LOG#${padId(id)}` });
const recordKey = (hotlineID: number, id: number) => ({ pk: hotlinePk(hotlineID), sk: `RECORD#${padId(id)}` });
// The lists' keys in gsi2: the list, and the row's position in it.
const hotlineListPk = (organizationID: number) => `ORG#${organizationID}#HOTLINE_POSITIONS`;
const logListPk = (hotlineID: number) => `${hotlinePk(hotlineID)}#CALL_LOG_POSITIONS`;
const recordListPk = (hotlineID: number) => `${hotlinePk(hotlineID)}#RECORD_POSITIONS`;
const atPosition = (gsi2pk: string, position: number) => ({ gsi2pk, gsi2sk: padId(position), position });
// The lists' counters.
const hotlinesCounter = (organizationID: number) => quotaCounter(`${ORG_PK_PREFIX}${organizationID}`, 'hotlines');
const logsCounter = (hotlineID: number) => positionCounter(hotlinePk(hotlineID), 'callLogs');
const recordsCounter = (hotlineID: number) => positionCounter(hotlinePk(hotlineID), 'records');
const callRefKey = (callSid: string) => ({ pk: `JAMBONZ_CALL#${callSid}`, sk: 'REF' });

/** The reference from jambonz's call to its log, as stored. */
export interface CallRef {
  hotlineID: number;
  logID: number;
}

/** The hotline a hotline row's keys (a stream record's) name; not its logs' or records' keys. */
export const hotlineIdOfKey = idOfKeyParser<{ hotlineId: number }>(
  'a hotline',
  ({ pk }) => {
    const digits = afterPrefix(pk, HOTLINE_PK_PREFIX);
    return { hotlineId: digits === undefined ? undefined : Number(digits) };
  },
  ({ hotlineId }) => hotlineKey(hotlineId),
);

const HOTLINE_FIELDS = ['id', 'organizationID', 'name', 'agents', 'channelsInbound', 'channelsOutbound', 'isActive', 'status', 'failureReason', 'ttsInbound', 'ttsOutbound', 'number', 'carrierSid', 'applicationSid', 'phoneNumberSid', 'createdAt', 'updatedAt'] as const;
const pick = <T>(item: Record<string, unknown>, fields: readonly string[]) => Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as T;
const hotlineOf = (item: Record<string, unknown>) => pick<HotlineRow>(item, HOTLINE_FIELDS);
const logOf = (item: Record<string, unknown>) => pick<CallLogRow>(item, ['id', 'hotlineID', 'callSid', 'from', 'startTime', 'entries', 'recordId']);
const recordOf = (item: Record<string, unknown>) => pick<RecordRow>(item, ['id', 'hotlineID', 'callLogID', 'destinationNumber', 'timeStart', 'timeEnd', 'price']);

/** The hotline, read with other rows (shared/db/get-items.ts). */
export const hotlineRead = (id: number): ItemRead<HotlineRow | undefined> => ({ key: hotlineKey(id), of: (item) => (item ? hotlineOf(item) : undefined) });

/** jambonz's call → its log, read with other rows. */
export const callRefRead = (callSid: string): ItemRead<CallRef | undefined> => ({
  key: callRefKey(callSid),
  of: (item) => (item ? { hotlineID: Number(item.hotlineID), logID: Number(item.logID) } : undefined),
});

/** The last position of the hotline's call logs (0: none yet), read with other rows. */
export const logsPositionRead = (hotlineID: number): ItemRead<number> => lastPositionRead(logsCounter(hotlineID));

/** How many hotlines the organisation has (its quota's count, their last position), read with other rows. */
export const hotlinesCountRead = (organizationID: number): ItemRead<number> => lastPositionRead(hotlinesCounter(organizationID));

/** The transaction item that gives the hotline's next log position (`last + 1`); it answers the counter as it is when another write took it first. */
export const logsPositionTake = (t: TableRef, hotlineID: number, last: number) => {
  const take = positionTake(t, logsCounter(hotlineID), last);
  return { Update: { ...take.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
};

/** The last position a failed `logsPositionTake` answered. */
export const logsPositionOf = (hotlineID: number, item: Record<string, unknown> | undefined) => Number(item?.[logsCounter(hotlineID).attribute] ?? 0);

/** The transaction items that store a new call's log at `position` and its reference from jambonz's call; both fail when the call has them already. */
export const callLogStartItems = (t: TableRef, log: CallLogRow, position: number) => [
  { Put: { TableName: t.tableName, Item: callLogItem(log, position), ConditionExpression: 'attribute_not_exists(pk)' } },
  {
    Put: {
      TableName: t.tableName,
      Item: { ...callRefKey(log.callSid), entity: 'jambonzCallRef', hotlineID: log.hotlineID, logID: log.id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
];

/** The transaction item that appends entries to a log. */
export const appendEntriesItem = (t: TableRef, hotlineID: number, id: number, entries: CallLogEntryRow[]) => ({
  Update: {
    TableName: t.tableName,
    Key: logKey(hotlineID, id),
    UpdateExpression: 'SET entries = list_append(entries, :e)',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':e': entries },
  },
});

/** A call log's row at its position, as stored (also what local tooling loads in bulk, with `hotlineCounterItems`). */
export const callLogItem = (log: CallLogRow, position: number) => ({ ...logKey(log.hotlineID, log.id), ...atPosition(logListPk(log.hotlineID), position), entity: 'callLog', ...log });

/** A billing record's row at its position, as stored (as `callLogItem`). */
export const recordItem = (record: RecordRow, position: number) => ({ ...recordKey(record.hotlineID, record.id), ...atPosition(recordListPk(record.hotlineID), position), entity: 'hotlineRecord', ...record });

/** A hotline's list counters after `callLogs` logs and `records` records (local tooling that loads them in bulk). */
export const hotlineCounterItems = (hotlineID: number, last: { callLogs: number; records: number }) => [
  positionCounterItem(logsCounter(hotlineID), last.callLogs),
  positionCounterItem(recordsCounter(hotlineID), last.records),
];

/** The count's take, also adding the hotline's id to the organisation's set of them. */
function withHotlineId(take: ReturnType<typeof positionTake>, id: number) {
  const u = take.Update;
  return { Update: { ...u, UpdateExpression: `${u.UpdateExpression} ADD hotlineIds :hid`, ExpressionAttributeValues: { ...u.ExpressionAttributeValues, ':hid': new Set([id]) } } };
}

export function hotlinesRepository(t: TableRef) {
  /**
   * The page at `page.offset` of a list and its total (its counter): one Query of the page's range of
   * positions in gsi2, which holds no more than `page.limit` items (an answer cut at 1 MB is followed
   * on, still within the range; one that has them all is not). The index is eventually consistent: a
   * row just written may be missing from a page for a moment while the total counts it.
   */
  const pageOf = async (counter: PositionCounter, gsi2pk: string, page: { limit: number; offset: number }, newestFirst: boolean) => {
    const total = await lastPosition(t, counter);
    const { from, to } = pagePositions(total, page, newestFirst);
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    while (from <= to && items.length < to - from + 1) {
      const res = await t.doc.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': gsi2pk, ':from': padId(from), ':to': padId(to) },
          ScanIndexForward: !newestFirst,
          Limit: to - from + 1 - items.length,
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...(res.Items ?? []));
      cursor = res.LastEvaluatedKey;
      if (!cursor) break;
    }
    return { items, total };
  };

  /** One edit of the caller's fields; `retry` also puts a failed hotline back to `created` (only while failed). */
  const editHotline = async (id: number, fields: HotlineEdit, retry: boolean): Promise<HotlineRow> => {
    const res = await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: hotlineKey(id),
        UpdateExpression: `SET #n = :n, agents = :ag, channelsInbound = :ci, channelsOutbound = :co, isActive = :a, ttsInbound = :ti, ttsOutbound = :to, updatedAt = :u${retry ? ', #s = :created REMOVE failureReason' : ''}`,
        ConditionExpression: retry ? 'attribute_exists(pk) AND #s = :failed' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#n': 'name', ...(retry ? { '#s': 'status' } : {}) },
        ExpressionAttributeValues: {
          ':n': fields.name,
          ':ag': fields.agents,
          ':ci': fields.channelsInbound,
          ':co': fields.channelsOutbound,
          ':a': fields.isActive,
          ':ti': fields.ttsInbound,
          ':to': fields.ttsOutbound,
          ':u': fields.updatedAt,
          ...(retry ? { ':created': 'created', ':failed': 'failed' } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return hotlineOf(res.Attributes ?? {});
  };

  const repo = {
    /**
     * Stores a new hotline under a new id, counted against its organisation's quota of `quota`
     * hotlines: 'over-quota' (no id taken, nothing written) when it has that many. `count`: the
     * organisation's count as the caller read it (`hotlinesCountRead`), else it is read first.
     */
    async create(fields: Omit<HotlineRow, 'id'>, quota: number, count?: number): Promise<HotlineRow | 'over-quota'> {
      const counter = hotlinesCounter(fields.organizationID);
      // The count read first refuses a hotline over the quota before an id is allocated; the count is
      // the position, so the take's condition (the count still as read) also decides a race for the quota.
      return atNextPosition(t, counter, async (used) => {
        if (used >= quota) return 'over-quota';
        const row: HotlineRow = { id: await nextId(t, 'hotline'), ...fields };
        const counted = withHotlineId(positionTake(t, counter, used), row.id);
        const items = [
          {
            Put: {
              TableName: t.tableName,
              Item: { ...hotlineKey(row.id), ...atPosition(hotlineListPk(row.organizationID), used + 1), entity: 'hotline', ...row },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          counted,
        ];
        try {
          await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
          return row;
        } catch (err) {
          if (positionMoved(err, items, counted)) return MOVED;
          throw err;
        }
      }, { read: count });
    },

    /** The ids of the organisation's hotlines (a strongly consistent read of its count's row). */
    async idsOfOrganization(organizationID: number): Promise<number[]> {
      const res = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: hotlinesCounter(organizationID).key, ConsistentRead: true, ProjectionExpression: 'hotlineIds' }),
      );
      return [...((res.Item?.hotlineIds as Set<number> | undefined) ?? [])].map(Number).sort((a, b) => a - b);
    },

    /**
     * Puts the hotline into its organisation's id set (a no-op when it is there already): a hotline made
     * before the set existed joins it when the ring lists' worker first sees it change.
     */
    async keepInOrganization(organizationID: number, id: number): Promise<void> {
      await applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: hotlinesCounter(organizationID).key,
            UpdateExpression: 'ADD hotlineIds :hid',
            // Only on the count's row as the hotline's creation left it: never a row of its own.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':hid': new Set([id]) },
          }),
        ),
      );
    },

    async get(id: number): Promise<HotlineRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: hotlineKey(id), ConsistentRead: true }));
      return res.Item ? hotlineOf(res.Item) : undefined;
    },

    /** A page of an organisation's hotlines, oldest (lowest id) first, and how many it has. */
    async pageByOrganization(organizationID: number, page: { limit: number; offset: number }): Promise<Page<HotlineRow>> {
      const { items, total } = await pageOf(hotlinesCounter(organizationID), hotlineListPk(organizationID), page, false);
      return { items: items.map(hotlineOf), total };
    },

    /** The caller's edit; a failed hotline goes back to `created`, which provisions it again (unless a retry got it active meanwhile). */
    async update(id: number, fields: HotlineEdit, retry: boolean): Promise<HotlineRow> {
      if (retry) {
        try {
          return await editHotline(id, fields, true);
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
      }
      return editHotline(id, fields, false);
    },

    /** Keeps a provider id on the row as soon as it exists. */
    async setProviderIds(id: number, ids: { applicationSid?: string; phoneNumberSid?: string }): Promise<void> {
      const set = Object.entries(ids).filter(([, v]) => v !== undefined);
      if (set.length === 0) return;
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: hotlineKey(id),
          UpdateExpression: `SET ${set.map(([k]) => `#${k} = :${k}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(set.map(([k]) => [`#${k}`, k])),
          ExpressionAttributeValues: Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])),
        }),
      );
    },

    /** created/failed → active; false when another run was first. */
    markActive: (id: number, at: string) =>
      applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: hotlineKey(id),
            UpdateExpression: 'SET #s = :active, provisionedAt = :at REMOVE failureReason',
            ConditionExpression: '#s IN (:created, :failed)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':active': 'active', ':created': 'created', ':failed': 'failed', ':at': at },
          }),
        ),
      ),

    markFailed: (id: number, reason: string) =>
      applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: hotlineKey(id),
            UpdateExpression: 'SET #s = :failed, failureReason = :r',
            ConditionExpression: '#s IN (:created, :failed)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed', ':created': 'created', ':r': reason },
          }),
        ),
      ),

    // --- Call logs ---------------------------------------------------------------------------

    /** The log of jambonz's call `callSid`, started now at the hotline's next position unless one exists (a hook delivered twice starts one log). */
    async startCallLog(input: { hotlineID: number; callSid: string; from: string | null; now: string; entries: CallLogEntryRow[] }): Promise<{ log: CallLogRow; created: boolean }> {
      // No read of the call's ref first: its Put below is conditional, so a hook delivered again fails
      // the transaction and then reads the log the first delivery wrote (a round trip saved on every
      // new call; the id drawn for the failed attempt is skipped, as when a write loses a race).
      const counter = logsCounter(input.hotlineID);
      return atNextPosition(t, counter, async (last) => {
        const id = await nextId(t, 'callLog');
        const log: CallLogRow = { id, hotlineID: input.hotlineID, callSid: input.callSid, from: input.from, startTime: input.now, entries: input.entries };
        const take = positionTake(t, counter, last);
        const items = [...callLogStartItems(t, log, last + 1), take];
        try {
          await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
          return { log, created: true };
        } catch (err) {
          if (!cancellationReasons(err)) throw err;
          // The same call's hook, delivered twice at once, wrote it first; else another call took the position.
          const winner = await repo.logByCall(input.callSid);
          if (winner) return { log: winner, created: false };
          if (positionMoved(err, items, take)) return MOVED;
          throw err;
        }
      });
    },

    async logByCall(callSid: string): Promise<CallLogRow | undefined> {
      const ref = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: callRefKey(callSid), ConsistentRead: true }))).Item;
      return ref ? repo.getLog(Number(ref.hotlineID), Number(ref.logID)) : undefined;
    },

    async getLog(hotlineID: number, id: number): Promise<CallLogRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: logKey(hotlineID, id), ConsistentRead: true }));
      return res.Item ? logOf(res.Item) : undefined;
    },

    async appendEntries(hotlineID: number, id: number, entries: CallLogEntryRow[]): Promise<void> {
      await t.doc.send(new UpdateCommand(appendEntriesItem(t, hotlineID, id, entries).Update));
    },

    /** A page of a hotline's logs, newest first, and how many it has. */
    async pageLogs(hotlineID: number, page: { limit: number; offset: number }): Promise<Page<CallLogRow>> {
      const { items, total } = await pageOf(logsCounter(hotlineID), logListPk(hotlineID), page, true);
      return { items: items.map(logOf), total };
    },

    /** Bills a call once: the record (at the hotline's next position) and the log's mark in one transaction; undefined when the log was billed already. */
    async bill(record: Omit<RecordRow, 'id'>, entry: CallLogEntryRow): Promise<RecordRow | undefined> {
      const counter = recordsCounter(record.hotlineID);
      return atNextPosition(t, counter, async (last) => {
        const row: RecordRow = { id: await nextId(t, 'record'), ...record };
        const mark = {
          Update: {
            TableName: t.tableName,
            Key: logKey(record.hotlineID, record.callLogID),
            UpdateExpression: 'SET recordId = :id, entries = list_append(entries, :e)',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(recordId)',
            ExpressionAttributeValues: { ':id': row.id, ':e': [entry] },
          },
        };
        const take = positionTake(t, counter, last);
        const items = [mark, { Put: { TableName: t.tableName, Item: recordItem(row, last + 1), ConditionExpression: 'attribute_not_exists(pk)' } }, take];
        try {
          await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
          return row;
        } catch (err) {
          if (conditionFailed(err, items, mark)) return undefined;
          if (positionMoved(err, items, take)) return MOVED;
          throw err;
        }
      });
    },

    /** A page of a hotline's billing records, newest first, and how many it has. */
    async pageRecords(hotlineID: number, page: { limit: number; offset: number }): Promise<Page<RecordRow>> {
      const { items, total } = await pageOf(recordsCounter(hotlineID), recordListPk(hotlineID), page, true);
      return { items: items.map(recordOf), total };
    },
  };
  return repo;
}

export type HotlinesRepository = ReturnType<typeof hotlinesRepository>;
