// Hotlines, their call logs and billing records.
//   HOTLINE#<id> / HOTLINE            the hotline; gsi2 ORG#<orgId>#HOTLINES / <id>: an organisation's hotlines
//   HOTLINE#<id> / CALL_LOG#<logId>   one call: start, jambonz's call sid, caller, entries (appended), recordId once billed
//   HOTLINE#<id> / RECORD#<recordId>  the billing record of one completed call
//   JAMBONZ_CALL#<callSid> / REF      { hotlineID, logID }: jambonz's call → its log (webhooks name calls by sid)
// The provisioning worker reacts to HOTLINE rows whose status becomes `created` (HOTLINE_KEYS). A
// hotline's number comes from the hotline number pool (shared/db/hotline-numbers.ts), which writes the
// number onto the row, and the row's gsi1 while it waits for one, in its own transactions.
// A new hotline counts against its organisation's quota (shared/db/quotas.ts) in the same transaction.
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { queryAll } from './query-all';
import { applied, cancellationReasons, conditionFailed, isConditionFailure, retryingConflicts } from './conditional';
import { nextId, padId } from './counters';
import { afterPrefix, idOfKeyParser } from './keys';
import { ORG_PK_PREFIX } from './organizations';
import { quotaReached, quotaTake } from './quotas';

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

export const hotlineKey = (id: number) => ({ pk: `${HOTLINE_PK_PREFIX}${id}`, sk: HOTLINE_KEYS.sk });
const listKey = (organizationID: number, id: number) => ({ gsi2pk: `ORG#${organizationID}#HOTLINES`, gsi2sk: padId(id) });
const logKey = (hotlineID: number, id: number) => ({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, sk: `CALL_LOG#${padId(id)}` });
const recordKey = (hotlineID: number, id: number) => ({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, sk: `RECORD#${padId(id)}` });
const callRefKey = (callSid: string) => ({ pk: `JAMBONZ_CALL#${callSid}`, sk: 'REF' });

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

export function hotlinesRepository(t: TableRef) {
  const underPrefix = async (input: { pk: string; skPrefix: string; newestFirst?: boolean }) => {
    return queryAll(t, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': input.pk, ':sk': input.skPrefix },
      ScanIndexForward: !input.newestFirst,
    });
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
     * hotlines: 'over-quota' (no id taken, nothing written) when it has that many.
     */
    async create(fields: Omit<HotlineRow, 'id'>, quota: number): Promise<HotlineRow | 'over-quota'> {
      const orgPk = `${ORG_PK_PREFIX}${fields.organizationID}`;
      if (await quotaReached(t, orgPk, 'hotlines', quota)) return 'over-quota';
      const row: HotlineRow = { id: await nextId(t, 'hotline'), ...fields };
      const counted = quotaTake(t, orgPk, 'hotlines', quota);
      const items = [
        {
          Put: {
            TableName: t.tableName,
            Item: { ...hotlineKey(row.id), ...listKey(row.organizationID, row.id), entity: 'hotline', ...row },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        counted,
      ];
      try {
        await retryingConflicts(() => t.doc.send(new TransactWriteCommand({ TransactItems: items })));
        return row;
      } catch (err) {
        if (conditionFailed(err, items, counted)) return 'over-quota';
        throw err;
      }
    },

    async get(id: number): Promise<HotlineRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: hotlineKey(id), ConsistentRead: true }));
      return res.Item ? hotlineOf(res.Item) : undefined;
    },

    /** An organisation's hotlines by id (the listing index is eventually consistent). */
    async listByOrganization(organizationID: number): Promise<HotlineRow[]> {
      const out: HotlineRow[] = (await queryAll(t, {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': listKey(organizationID, 0).gsi2pk },
      })).map((i) => hotlineOf(i));
      return out;
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

    /** The log of jambonz's call `callSid`, started now unless one exists (a hook delivered twice starts one log). */
    async startCallLog(input: { hotlineID: number; callSid: string; from: string | null; now: string; entries: CallLogEntryRow[] }): Promise<{ log: CallLogRow; created: boolean }> {
      const existing = await repo.logByCall(input.callSid);
      if (existing) return { log: existing, created: false };
      const id = await nextId(t, 'callLog');
      const log: CallLogRow = { id, hotlineID: input.hotlineID, callSid: input.callSid, from: input.from, startTime: input.now, entries: input.entries };
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: t.tableName, Item: { ...logKey(input.hotlineID, id), entity: 'callLog', ...log }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: t.tableName, Item: { ...callRefKey(input.callSid), entity: 'jambonzCallRef', hotlineID: input.hotlineID, logID: id }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return { log, created: true };
      } catch (err) {
        if (!cancellationReasons(err)) throw err;
        const winner = await repo.logByCall(input.callSid);
        if (!winner) throw err;
        return { log: winner, created: false };
      }
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
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: logKey(hotlineID, id),
          UpdateExpression: 'SET entries = list_append(entries, :e)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':e': entries },
        }),
      );
    },

    /** A hotline's logs, newest first. */
    listLogs: async (hotlineID: number) => (await underPrefix({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, skPrefix: 'CALL_LOG#', newestFirst: true })).map(logOf),

    /** Bills a call once: the record and the log's mark in one transaction; false when the log was billed already. */
    async bill(record: Omit<RecordRow, 'id'>, entry: CallLogEntryRow): Promise<RecordRow | undefined> {
      const id = await nextId(t, 'record');
      const row: RecordRow = { id, ...record };
      try {
        await t.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: t.tableName,
                  Key: logKey(record.hotlineID, record.callLogID),
                  UpdateExpression: 'SET recordId = :id, entries = list_append(entries, :e)',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(recordId)',
                  ExpressionAttributeValues: { ':id': id, ':e': [entry] },
                },
              },
              { Put: { TableName: t.tableName, Item: { ...recordKey(record.hotlineID, id), entity: 'hotlineRecord', ...row }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return row;
      } catch (err) {
        if (cancellationReasons(err)?.some((r) => r.Code === 'ConditionalCheckFailed')) return undefined;
        throw err;
      }
    },

    /** A hotline's billing records, newest first. */
    listRecords: async (hotlineID: number) => (await underPrefix({ pk: `${HOTLINE_PK_PREFIX}${hotlineID}`, skPrefix: 'RECORD#', newestFirst: true })).map(recordOf),
  };
  return repo;
}

export type HotlinesRepository = ReturnType<typeof hotlinesRepository>;
