// Many puts at once (BatchWriteItem, 25 a call, unprocessed items sent again): for local tooling that
// loads data, never for a request's own write (no conditions: what is there is overwritten).
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
