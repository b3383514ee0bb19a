// A row that may be written once: a conditional put that, when the key is taken, answers the row
// that holds it (ALL_OLD) instead of a second read, which real DynamoDB may serve stale. A row that no
// longer counts (`replaceWhen`: an expired record, say) may be written over.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableRef } from './client';
import { isConditionFailure } from './conditional';

export type PutOutcome<T> = { created: true } | { created: false; existing: T };

/** A condition under which the row holding the key is written over, with its names and values. */
export interface ReplaceWhen {
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export async function putIfAbsent<T>(t: TableRef, item: Record<string, unknown>, replaceWhen?: ReplaceWhen): Promise<PutOutcome<T>> {
  try {
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: item,
        ConditionExpression: replaceWhen ? `attribute_not_exists(pk) OR (${replaceWhen.condition})` : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: replaceWhen?.names,
        ExpressionAttributeValues: replaceWhen?.values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { created: true };
  } catch (err) {
    const old = (err as { name?: string; Item?: Record<string, AttributeValue> }).Item;
    if (!isConditionFailure(err) || !old) throw err;
    return { created: false, existing: unmarshall(old) as T };
  }
}
