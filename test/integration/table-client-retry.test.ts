// The table client's retry of a write whose answer came too late (shared/db/client.ts): the table
// applied the first attempt, the client gave up on its answer and sent it again. A condition the first
// attempt made false then fails on the retry; that is no answer about the condition, and comes out as
// the table being unavailable. A write whose condition lets its own retry pass succeeds, and after a
// throttled first attempt (nothing applied) a failed condition is still the answer.
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableRef, type TableRef } from '../../shared/db/client';
import { applied } from '../../shared/db/conditional';
import { TableUnavailableError } from '../../shared/errors';
import { workerStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

/**
 * A table client whose first attempt of each update goes wrong: `late`, it reaches the table but its
 * answer is lost as if it came too late; `throttled`, the table refuses it before applying anything.
 */
function firstAttempt(how: 'late' | 'throttled' = 'late'): TableRef {
  const t = tableRef({ tableName: stack.table.tableName, endpoint: stack.dynamoEndpoint });
  const sent = new WeakSet<object>();
  t.client.middlewareStack.add(
    (next, context) => async (args) => {
      const first = context.commandName === 'UpdateItemCommand' && !sent.has(args.input as object);
      sent.add(args.input as object);
      if (first && how === 'throttled') throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      const result = await next(args);
      if (first) throw Object.assign(new Error('the answer came too late'), { name: 'TimeoutError' });
      return result;
    },
    // Inside the retry step: each attempt passes here.
    { step: 'finalizeRequest', name: 'firstAttempt', priority: 'low' },
  );
  return t;
}
const lateFirstAnswer = () => firstAttempt('late');

const key = () => ({ pk: `RETRY#${randomUUID()}`, sk: 'ROW' });
type Key = ReturnType<typeof key>;

/** A row in `state`. */
const putRow = (k: Key, state: string) => stack.table.doc.send(new PutCommand({ TableName: stack.table.tableName, Item: { ...k, state } }));

/** Closes the row if it is open, through `t`: whether the write was applied. */
const closeIfOpen = (t: TableRef, k: Key) =>
  applied(
    t.doc.send(
      new UpdateCommand({ TableName: t.tableName, Key: k, UpdateExpression: 'SET #s = :closed', ConditionExpression: '#s = :open', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':open': 'open', ':closed': 'closed' } }),
    ),
  );

describe("the table client's retry of a write answered too late", () => {
  it('a condition the first attempt made false is answered as the table being unavailable, and the write stands', async () => {
    const k = key();
    await putRow(k, 'open');
    const late = lateFirstAnswer();
    try {
      await expect(closeIfOpen(late, k)).rejects.toBeInstanceOf(TableUnavailableError);
      const row = await stack.table.doc.send(new GetCommand({ TableName: stack.table.tableName, Key: k }));
      expect(row.Item?.state).toBe('closed');
    } finally {
      late.client.destroy();
    }
  });

  it('a write whose condition lets its own retry pass succeeds', async () => {
    const k = key();
    const late = lateFirstAnswer();
    try {
      const write = new UpdateCommand({
        TableName: late.tableName,
        Key: k,
        UpdateExpression: 'SET claimId = :c',
        ConditionExpression: 'attribute_not_exists(pk) OR claimId = :c',
        ExpressionAttributeValues: { ':c': 'mine' },
      });
      expect(await applied(late.doc.send(write))).toBe(true);
    } finally {
      late.client.destroy();
    }
  });

  it("after a throttled first attempt (nothing applied), the retry's failed condition is its answer", async () => {
    const k = key();
    await putRow(k, 'closed');
    const throttled = firstAttempt('throttled');
    try {
      expect(await closeIfOpen(throttled, k)).toBe(false);
    } finally {
      throttled.client.destroy();
    }
  });

  it('without a retry, a failed condition is the answer it always was', async () => {
    const k = key();
    await putRow(k, 'closed');
    expect(await closeIfOpen(stack.table, k)).toBe(false);
  });
});
