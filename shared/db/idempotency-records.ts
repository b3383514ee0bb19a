// The records of the Idempotency-Key runner (shared/http/middleware/idempotency-powertools.ts): one
// item per route and key (pk IDEMPOTENCY#<route>, sk the runner's key: <route>#<hash>), deleted by
// the table's TTL. The attributes and conditions are those of Powertools' DynamoDBPersistenceLayer,
// so a record one writes the other reads: status, the TTL attribute as the record's expiry (Unix
// seconds), `in_progress_expiration` (Unix milliseconds), `data` (the stored answer) and `validation`
// (the request's hash).
//
// The runner's persistence layer is this repository, not Powertools' own DynamoDB layer: that layer
// imports the DynamoDB client itself, so it could not load apart from the function's bundle; this
// one uses the function's table client, and Powertools idempotency loads only when a request brings a
// key (see the runner).
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { putIfAbsent } from './put-if-absent';
import { TABLE } from './table';

/** A record as the runner reads and writes it. */
export interface IdempotencyRecordItem {
  /** The runner's key: `<route>#<hash of the key>`. */
  key: string;
  status: string;
  /** When the record expires (Unix seconds): the table's TTL deletes it. */
  expiresAt?: number;
  /** While in progress: when its request's time is up (Unix milliseconds). */
  inProgressExpiresAt?: number;
  /** The stored answer, once completed. */
  data?: unknown;
  /** The hash of the request the key came with. */
  payloadHash?: string;
}

export type IdempotencyRecords = ReturnType<typeof idempotencyRecordsRepository>;

const ATTR = { status: 'status', expiry: TABLE.ttlAttribute, inProgressExpiry: 'in_progress_expiration', data: 'data', validation: 'validation' } as const;

export function idempotencyRecordsRepository(t: TableRef, route: string) {
  const keyOf = (key: string) => ({ [TABLE.partitionKey]: `IDEMPOTENCY#${route}`, [TABLE.sortKey]: key });
  const fromItem = (item: Record<string, unknown>): IdempotencyRecordItem => ({
    key: String(item[TABLE.sortKey]),
    status: String(item[ATTR.status]),
    expiresAt: item[ATTR.expiry] as number | undefined,
    inProgressExpiresAt: item[ATTR.inProgressExpiry] as number | undefined,
    data: item[ATTR.data],
    payloadHash: item[ATTR.validation] as string | undefined,
  });

  return {
    async get(key: string): Promise<IdempotencyRecordItem | undefined> {
      const { Item } = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: keyOf(key), ConsistentRead: true }));
      return Item ? fromItem(Item) : undefined;
    },

    /**
     * Writes a new record unless the key holds one that counts: one not expired, and not in progress
     * past its request's time. `{ put: false }` carries the record that stood in the way.
     */
    async putIfFree(record: IdempotencyRecordItem, nowMs: number): Promise<{ put: true } | { put: false; existing?: IdempotencyRecordItem }> {
      const out = await putIfAbsent<Record<string, unknown>>(
        t,
        {
          ...keyOf(record.key),
          [ATTR.expiry]: record.expiresAt,
          [ATTR.status]: record.status,
          ...(record.inProgressExpiresAt !== undefined ? { [ATTR.inProgressExpiry]: record.inProgressExpiresAt } : {}),
          ...(record.payloadHash !== undefined ? { [ATTR.validation]: record.payloadHash } : {}),
        },
        {
          condition: '#expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
          names: { '#expiry': ATTR.expiry, '#in_progress_expiry': ATTR.inProgressExpiry, '#status': ATTR.status },
          values: { ':now': nowMs / 1000, ':now_in_millis': nowMs, ':inprogress': 'INPROGRESS' },
        },
      );
      return out.created ? { put: true } : { put: false, existing: fromItem(out.existing) };
    },

    /** Completes a record: its status, expiry, answer and request hash. */
    async update(record: IdempotencyRecordItem): Promise<void> {
      const names: Record<string, string> = { '#expiry': ATTR.expiry, '#status': ATTR.status };
      const values: Record<string, unknown> = { ':expiry': record.expiresAt, ':status': record.status };
      const sets = ['#expiry = :expiry', '#status = :status'];
      if (record.data !== undefined) {
        sets.push('#response_data = :response_data');
        names['#response_data'] = ATTR.data;
        values[':response_data'] = record.data;
      }
      if (record.payloadHash !== undefined) {
        sets.push('#validation_key = :validation_key');
        names['#validation_key'] = ATTR.validation;
        values[':validation_key'] = record.payloadHash;
      }
      await t.doc.send(
        new UpdateCommand({ TableName: t.tableName, Key: keyOf(record.key), UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
      );
    },

    async delete(key: string): Promise<void> {
      await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: keyOf(key) }));
    },
  };
}
