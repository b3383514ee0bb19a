// Quota counters: how many of a costly thing an owner has made, one row per owner and quota, taken in
// the same transaction as the creation it counts (a conditional ADD beside the creation's own writes),
// so concurrent creations cannot pass a quota together and a failed creation counts nothing; a read
// first (`quotaReached`) refuses a creation over the quota before it allocates an id.
//   USER#<sub> / QUOTA#organizations       organisations the user created
//   USER#<sub> / QUOTA#agentPhones         agent phones the user owns
//   ORG#<orgId> / QUOTA#hotlines           hotlines of the organisation
//   USER#<sub> / QUOTA#webhooks            webhook endpoints of the user (given back when one is deleted)
//   USER#<sub> / QUOTA#apiKeys             the user's API keys (shared/db/api-keys.ts)
// The owner's repository gives the partition key (the user's, the organisation's); a user's counters
// go with the rest of their partition when the account is deleted. No route deletes an organisation,
// a hotline or an agent phone today; one that does must take its count off in the same transaction,
// as the deletion of an API key does (`quotaGiveBack`).
// An organisation's hotline count is also the position of each of its hotlines in their list (the
// next hotline is number `used + 1`; shared/db/positions.ts): it is taken by a conditional SET of the
// value read (`quotaCounter`), and a route deleting hotlines would have to page them another way.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import type { ItemRead } from './get-items';
import type { PositionCounter } from './positions';

export type QuotaName = 'organizations' | 'hotlines' | 'agentPhones' | 'webhooks' | 'apiKeys';

export const QUOTA_SK_PREFIX = 'QUOTA#';

export const quotaKey = (pk: string, name: QuotaName) => ({ pk, sk: `${QUOTA_SK_PREFIX}${name}` });

/** A quota's count as the counter of the positions of what it counts (an organisation's hotlines). */
export const quotaCounter = (pk: string, name: QuotaName): PositionCounter => ({ key: quotaKey(pk, name), attribute: 'used', entity: 'quota' });

/** The transaction item that counts one more against `limit`; its condition fails when `limit` are counted already. */
export function quotaTake(t: TableRef, pk: string, name: QuotaName, limit: number) {
  return {
    Update: {
      TableName: t.tableName,
      Key: quotaKey(pk, name),
      UpdateExpression: 'ADD #used :one SET entity = :entity',
      ConditionExpression: 'attribute_not_exists(#used) OR #used < :limit',
      ExpressionAttributeNames: { '#used': 'used' },
      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':entity': 'quota' },
    },
  };
}

/** The transaction item that counts one fewer: beside the deletion of what was counted. */
export function quotaGiveBack(t: TableRef, pk: string, name: QuotaName) {
  return {
    Update: {
      TableName: t.tableName,
      Key: quotaKey(pk, name),
      UpdateExpression: 'ADD #used :minusOne',
      ExpressionAttributeNames: { '#used': 'used' },
      ExpressionAttributeValues: { ':minusOne': -1 },
    },
  };
}

/** A quota's count (0 when nothing was counted yet), read with other rows (shared/db/get-items.ts). */
export const quotaCountRead = (pk: string, name: QuotaName): ItemRead<number> => ({ key: quotaKey(pk, name), of: (item) => Number(item?.used ?? 0) });

/**
 * Whether `limit` are counted already (a strongly consistent read): a creation asks first, so that a
 * refusal allocates no id and writes nothing; the condition of `quotaTake` still decides a race.
 */
export async function quotaReached(t: TableRef, pk: string, name: QuotaName, limit: number): Promise<boolean> {
  const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: quotaKey(pk, name), ConsistentRead: true }));
  return Number(res.Item?.used ?? 0) >= limit;
}
