// Data exports of an account (POST /v1/me/exports): USER#<sub> / EXPORT#<exportId>, one row per export,
// and USER#<sub> / EXPORTLOCK while one is being made (at most one per account: the lock is put in the
// export's own transaction, only where none is held or the held one went stale, and taken off when the
// export is ready). The produceExport worker reacts to the row's `status`: `requested` → files written,
// `ready`; `ready` → the email sent, `mailId` marked. The row carries a TTL: it goes when its files do.
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied, cancellationReasons, markMailSent } from './conditional';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, userIdOfPk, userPk } from './keys';
import { accountOpenCheck } from './teardowns';

/** The stream filter of the export rows (the lock's sort key, EXPORTLOCK, does not start so). */
export const EXPORT_KEYS = { pk: USER_PK_PREFIX, sk: 'EXPORT#' } as const;
const LOCK_SK = 'EXPORTLOCK';

export interface ExportId {
  userId: string;
  exportId: string;
}

const key = ({ userId, exportId }: ExportId) => ({ pk: userPk(userId), sk: `${EXPORT_KEYS.sk}${exportId}` });
const lockKey = (userId: string) => ({ pk: userPk(userId), sk: LOCK_SK });

/** The export a stream record's keys name. */
export const exportIdOfKey = idOfKeyParser<ExportId>('an export', ({ pk, sk }) => ({ userId: userIdOfPk(pk), exportId: afterPrefix(sk, EXPORT_KEYS.sk) }), key);

export interface ExportFileRow {
  name: string;
  contentType: string;
  bytes: number;
  /** Where the file is kept (the bucket's key). */
  key: string;
}

export interface ExportRow {
  exportId: string;
  status: 'requested' | 'ready';
  requestedAt: string;
  /** The document's schema version. */
  schemaVersion: number;
  readyAt?: string;
  /** When the files are deleted (the bucket's lifecycle), and with them this row (its TTL). */
  expiresAt?: string;
  files?: ExportFileRow[];
  /** Mailgun's id of the ready email, once sent. */
  mailId?: string;
  sentAt?: string;
  ttl: number;
}

export type ExportCreation = 'created' | 'running' | 'closed';

const strip = (item: Record<string, unknown>): ExportRow => {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as unknown as ExportRow;
};

export function exportsRepository(t: TableRef) {
  return {
    /**
     * Stores a requested export and takes the account's lock (until `lockUntil`), in one transaction:
     * `running` when another export holds the lock, `closed` when the account is being deleted.
     */
    async create(userId: string, row: ExportRow, lockUntil: string): Promise<ExportCreation> {
      const items = [
        { Put: { TableName: t.tableName, Item: { ...key({ userId, exportId: row.exportId }), entity: 'export', ...row }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: t.tableName,
            Item: { ...lockKey(userId), entity: 'exportLock', exportId: row.exportId, until: lockUntil, ttl: Math.ceil(Date.parse(lockUntil) / 1000) },
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': row.requestedAt },
          },
        },
        accountOpenCheck(t, userId),
      ];
      try {
        await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return 'created';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.[2]?.Code === 'ConditionalCheckFailed') return 'closed';
        if (reasons?.[1]?.Code === 'ConditionalCheckFailed') return 'running';
        throw err;
      }
    },

    /** The export that holds the account's lock, and until when; undefined when none does. */
    async lock(userId: string): Promise<{ exportId: string; until: string } | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: lockKey(userId), ConsistentRead: true }));
      return res.Item ? { exportId: String(res.Item.exportId), until: String(res.Item.until) } : undefined;
    },

    /** The export as it is now (strongly consistent: a retried record must see its own marks). */
    async get(id: ExportId): Promise<ExportRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(id), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /** Marks the export ready with its files; false when it was marked already (or the row is gone). */
    async markReady(id: ExportId, ready: { files: ExportFileRow[]; readyAt: string; expiresAt: string; ttl: number }): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(id),
            UpdateExpression: 'SET #status = :ready, files = :files, readyAt = :readyAt, expiresAt = :expiresAt, #ttl = :ttl',
            ConditionExpression: '#status = :requested',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':ready': 'ready', ':requested': 'requested', ':files': ready.files, ':readyAt': ready.readyAt, ':expiresAt': ready.expiresAt, ':ttl': ready.ttl },
          }),
        ),
      );
    },

    /** Takes the account's lock off, if this export holds it (a stale one may have passed to another). */
    async releaseLock(id: ExportId): Promise<boolean> {
      return applied(
        t.doc.send(
          new DeleteCommand({ TableName: t.tableName, Key: lockKey(id.userId), ConditionExpression: 'exportId = :id', ExpressionAttributeValues: { ':id': id.exportId } }),
        ),
      );
    },

    /** Marks the ready email sent; false when it was marked already (or the row is gone). */
    async markMailed(id: ExportId, mailId: string, sentAt: string): Promise<boolean> {
      return markMailSent(t, key(id), mailId, sentAt);
    },
  };
}

export type ExportsRepository = ReturnType<typeof exportsRepository>;
