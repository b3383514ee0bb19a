// Many writes at once (BatchWriteItem, 25 a call, unprocessed items sent again). Puts: for local tooling
// that loads data, never for a request's own write (no conditions: what is there is overwritten).
// Deletes: the removals that run in steps (an account's teardown, one call's deletion).
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

export async function putAll(t: TableRef, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; requests && requests.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** round)));
      const res = await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: requests } }));
      requests = res.UnprocessedItems?.[t.tableName] as typeof requests;
    }
  }
}

/** Deletes the given rows (25 per BatchWriteItem); throws when some are still left after retries. Answers the batches sent. */
export async function deleteAll(t: TableRef, keys: { pk: string; sk: string }[]): Promise<number> {
  let batches = 0;
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round === 5) throw new Error(`${requests.length} rows were not deleted (unprocessed after retries)`);
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const res = await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: requests } }));
      batches++;
      requests = (res.UnprocessedItems?.[t.tableName] ?? []) as typeof requests;
    }
  }
  return batches;
}
