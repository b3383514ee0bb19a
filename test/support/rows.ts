// Rows a test starts from, written as the code that owns them would write them (fixtures: the
// behaviour under test reads them).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt } from 'node:crypto';
import { poolKey, poolListKey } from '../../shared/db/pool';
import type { TestStack } from './stack';

/** A number of Fonella's pool, as an admin's import leaves it: free, with its Sipgate id. */
export async function addFreePoolNumber(stack: TestStack, number = `+4921199${String(randomInt(1e6)).padStart(6, '0')}`, sipgateNumberId = `n-${number}`): Promise<string> {
  await stack.table.doc.send(
    new PutCommand({
      TableName: stack.table.tableName,
      Item: { ...poolKey(number), ...poolListKey('free', number), entity: 'poolNumber', number, sipgateNumberId, status: 'free', importedAt: new Date().toISOString() },
    }),
  );
  return number;
}
