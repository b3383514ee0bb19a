// Every item a Query matches, page after page: DynamoDB answers at most 1 MB per call, so a reader of a
// whole partition or index key follows LastEvaluatedKey until there is none.
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

/** `T`: what the items are (the caller knows its rows; nothing is checked). */
export async function queryAll<T = Record<string, unknown>>(t: TableRef, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await t.doc.send(new QueryCommand({ ...input, TableName: t.tableName, ExclusiveStartKey: cursor }));
    items.push(...((page.Items ?? []) as T[]));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}
