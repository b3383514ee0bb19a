// What the hub shows of webhook deliveries: each delivery row as the table's stream last showed it
// (the tailer's every record, lib/local/streams.ts), newest first, with its attempts. Kept in memory
// for the hub alone: no index of every account's deliveries exists in the table, nor should one.
import type { DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { WEBHOOK_DELIVERY_SK_PREFIX } from '../../shared/db/webhook-deliveries';
import type { RunningTailer } from './streams';

/** Deliveries the hub keeps. */
const KEEP = 100;

export function webhookDeliveryLog(streams: Pick<RunningTailer, 'onRecord'>) {
  const rows = new Map<string, Record<string, unknown>>();
  const stop = streams.onRecord((record: DynamoDBRecord) => {
    const keys = record.dynamodb?.Keys;
    const sk = keys?.sk?.S;
    if (!sk?.startsWith(WEBHOOK_DELIVERY_SK_PREFIX)) return;
    const key = `${keys?.pk?.S}\u0000${sk}`;
    if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage) return void rows.delete(key);
    const row = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    rows.delete(key);
    rows.set(key, { id: row.eventId, userId: String(keys?.pk?.S ?? '').replace(/^USER#/, ''), ...row });
    while (rows.size > KEEP) rows.delete(rows.keys().next().value!);
  });
  return {
    /** Oldest first, as every list on the hub (it shows them newest first). */
    latest: () => [...rows.values()].map(({ pk: _pk, sk: _sk, entity: _e, ttl: _t, dispatchRequestedAt: _d, ...rest }) => rest),
    stop,
  };
}
