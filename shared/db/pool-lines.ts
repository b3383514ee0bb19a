// The user's pool line (USER#<sub> / INTEGRATION#POOL, written by the assignment in shared/db/pool.ts):
// what the bindPoolNumber worker reads and marks once the number is bound in Vapi.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied } from './conditional';
import { POOL_LINE_SK, poolLineKey, type PoolLineRow } from './pool';
import { USER_PK_PREFIX, idOfKeyParser, userIdOfPk } from './keys';

/** The stream filter of the line's rows. */
export const POOL_LINE_KEYS = { pk: USER_PK_PREFIX, sk: POOL_LINE_SK } as const;

/** The user whose pool line a row's keys (a stream record's) name. */
export const poolLineIdOfKey = idOfKeyParser<{ userId: string }>('a pool line', ({ pk }) => ({ userId: userIdOfPk(pk) }), ({ userId }) => poolLineKey(userId));

export function poolLinesRepository(t: TableRef) {
  return {
    /** Strongly consistent: a retried record must see its own earlier mark. */
    async get(userId: string): Promise<PoolLineRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: poolLineKey(userId), ConsistentRead: true }));
      return res.Item as PoolLineRow | undefined;
    },

    /** Records Vapi's phone number; false when the line is gone or already bound (another run was first). */
    async markBound(userId: string, vapiPhoneNumberId: string, boundAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: poolLineKey(userId),
            UpdateExpression: 'SET vapiPhoneNumberId = :id, boundAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(vapiPhoneNumberId)',
            ExpressionAttributeValues: { ':id': vapiPhoneNumberId, ':at': boundAt },
          }),
        ),
      );
    },
  };
}

export type PoolLinesRepository = ReturnType<typeof poolLinesRepository>;
