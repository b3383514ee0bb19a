// The refusal check of test/support/state.ts reads the table's changes from its stream: it must see a
// row written since a snapshot, and see none where the rows are as they were (a write undone, a write
// of the same values), as a scan of the table would.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

let stack: TestStack;
const put = (Item: Record<string, unknown>) => stack.table.doc.send(new PutCommand({ TableName: stack.table.tableName, Item }));

beforeAll(async () => {
  stack = await workerStack();
});

it('a row written since the snapshot is a change, named with its images', async () => {
  const pk = `JOURNAL_TEST#${randomUUID()}`;
  const before = await settle(stack);
  await put({ pk, sk: 'ROW', value: 1 });
  await expect(expectUnchanged(stack, before, 'a put')).rejects.toThrow(new RegExp(`${pk} / ROW: \\(none\\) → .*"value":\\{"N":"1"\\}`));
});

it('a row written and deleted again, or written with the values it had, is no change', async () => {
  const kept = `JOURNAL_TEST#${randomUUID()}`;
  await put({ pk: kept, sk: 'ROW', value: 1, other: 'x' });
  const before = await settle(stack);
  const gone = `JOURNAL_TEST#${randomUUID()}`;
  await put({ pk: gone, sk: 'ROW', value: 2 });
  await stack.table.doc.send(new DeleteCommand({ TableName: stack.table.tableName, Key: { pk: gone, sk: 'ROW' } }));
  await put({ pk: kept, sk: 'ROW', value: 3, other: 'x' });
  await put({ other: 'x', value: 1, sk: 'ROW', pk: kept });
  await expectUnchanged(stack, before, 'undone');
});
