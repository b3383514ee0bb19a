// Integer ids for the hotline service (users, organisations, agent phones, hotlines, call logs,
// records): one atomic ADD on COUNTER#<name> / COUNTER per id. A number once given out is never given
// again, also when the write it was for loses a race (the id is then simply skipped).
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

export type CounterName = 'hotlineUser' | 'organization' | 'agentPhone' | 'hotline' | 'callLog' | 'record';

export const COUNTER_PK_PREFIX = 'COUNTER#';

export const nextId = (t: TableRef, name: CounterName): Promise<number> => reserveIds(t, name, 1);

/** The last of `count` new ids in a row (local tooling that loads rows in bulk takes a block at once). */
export async function reserveIds(t: TableRef, name: CounterName, count: number): Promise<number> {
  const res = await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: { pk: `${COUNTER_PK_PREFIX}${name}`, sk: 'COUNTER' },
      UpdateExpression: 'ADD #v :n',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':n': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.value);
}

/** Ids in sort keys, zero-padded so that they sort as numbers. */
export const padId = (id: number) => String(id).padStart(10, '0');
