// Many items at once. `putAll` (BatchWriteItem, 25 a call, unprocessed items sent again) is for local
// tooling that loads data, never for a request's own write (no conditions: what is there is
// overwritten); `deleteAll` is for the removals that run in steps (an account's teardown, one call's
// deletion); `getAll` reads items by key (BatchGetItem).
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * The items at `keys` (those that exist), 100 keys a BatchGetItem, unprocessed keys asked again; in no
 * particular order. `consistent`: strongly consistent reads.
 */
export async function getAll(t: TableRef, keys: Record<string, unknown>[], opts: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** round)));
      const res = await t.doc.send(new BatchGetCommand({ RequestItems: { [t.tableName]: { Keys: pending, ConsistentRead: opts.consistent } } }));
      items.push(...((res.Responses?.[t.tableName] ?? []) as Record<string, unknown>[]));
      pending = res.UnprocessedKeys?.[t.tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return items;
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
