// Rate-limit counters: RATELIMIT#<form>#<client>#<window start>, one row per form, client and window,
// deleted by the table's TTL when the window ends. One conditional UpdateItem counts a request and
// checks the limit at once (`ADD hits :one` if `hits < :limit`), so concurrent requests on any number
// of Lambda instances cannot pass together: DynamoDB applies the updates of one item one at a time.
// A request over the limit fails the condition and writes nothing.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { isConditionFailure } from './conditional';

/** The entity's `pk` prefix (the refusal checks in the tests leave these rows out: counting is a write). */
export const RATE_LIMIT_PK_PREFIX = 'RATELIMIT#';

export interface RateLimitWindow {
  /** Which limit: the form's name. */
  form: string;
  /** Who is counted: the client's address (or its network, for IPv6). */
  client: string;
  /** Epoch seconds. */
  windowStart: number;
  windowEnd: number;
}

const key = (w: RateLimitWindow) => ({ pk: `${RATE_LIMIT_PK_PREFIX}${w.form}#${w.client}#${w.windowStart}`, sk: 'COUNTER' });

export function rateLimitsRepository(t: TableRef) {
  return {
    /**
     * Counts one request in the window, if it holds fewer than `limit`: the count after it, or
     * undefined (and nothing written) when the window is full.
     */
    async hit(w: RateLimitWindow, limit: number): Promise<number | undefined> {
      try {
        const res = await t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(w),
            UpdateExpression: 'ADD hits :one SET #ttl = :end, entity = :entity',
            ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':end': w.windowEnd, ':entity': 'rate-limit' },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(res.Attributes?.hits);
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },
  };
}

export type RateLimitsRepository = ReturnType<typeof rateLimitsRepository>;
