// The table client's retry of a write whose answer came too late (shared/db/client.ts): the table
// applied the first attempt, the client gave up on its answer and sent it again. A condition the first
// attempt made false then fails on the retry; that is no answer about the condition, and comes out as
// the table being unavailable. A write whose condition lets its own retry pass succeeds, and after a
// throttled first attempt (nothing applied) a failed condition is still the answer.
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../shared/db/client';
import { applied } from '../../shared/db/conditional';
import { TableUnavailableError } from '../../shared/errors';
import { firstUpdateGoesWrong } from '../support/late-answer';
import { workerStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const firstAttempt = (how: 'late' | 'throttled' = 'late') => firstUpdateGoesWrong(stack, how);
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
