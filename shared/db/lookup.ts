// A user found by a foreign id: the one row whose gsi1 key is that id (ASSISTANT#<vapiId>,
// STRIPE#<customerId>) belongs to USER#<sub>. The index is eventually consistent.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { userIdOfPk } from './keys';

export async function userByLookup(t: TableRef, key: { gsi1pk: string; gsi1sk: string }): Promise<string | undefined> {
  const res = await t.doc.send(
    new QueryCommand({
      TableName: t.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': key.gsi1pk, ':sk': key.gsi1sk },
      Limit: 1,
    }),
  );
  const pk = res.Items?.[0]?.pk;
  return userIdOfPk(pk);
}
