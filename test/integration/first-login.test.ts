// Concurrent first logins. DynamoDB Local is always consistent, so a stale read cannot show here;
// what can is whether the code reads at all after losing the race for the settings row. It must
// take the winner's row from the failed condition itself (ALL_OLD), never from a later read that
// real DynamoDB may serve eventually consistent. The commands are recorded on the handlers' own
// client, so the hook is set before the stack (and this file's first request) exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';
import { newUser } from '../support/users';
import { onTableCommand, recordTableCommands } from '../support/table-commands';

const recorder = recordTableCommands();
const sent = recorder.sent;
let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});
afterAll(() => {
  recorder.stop();
});

describe('concurrent first logins', () => {
  it('all answer 200 with the one stored row, and no read follows a lost conditional write', async () => {
    const { sub, token } = await newUser(stack, { prefix: 'race', email: 'race@example.com' });
    // The race made certain, not left to the machine's pace: every request's write waits until all six
    // have read (or 5 s), so each finds no row and each tries the conditional put.
    let reads = 0;
    let allRead!: () => void;
    const readsDone = new Promise<void>((resolve) => (allRead = resolve));
    const ownCommand = (c: { input: Record<string, unknown> }) => JSON.stringify(c.input).includes(`USER#${sub}`) && !('RequestItems' in c.input);
    const release = onTableCommand(async (c) => {
      if (!ownCommand(c)) return;
      if ((c.name === 'Query' || c.name === 'GetItem') && ++reads >= 6) allRead();
      if (c.name === 'PutItem') await Promise.race([readsDone, new Promise((r) => setTimeout(r, 5000))]);
    });
    const answers = await Promise.all(Array.from({ length: 6 }, () => stack.call('GET', '/v1/me', { token }))).finally(release);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.settings.createdAt)).size).toBe(1);
    // The requests' own commands: those on the user's rows (the customer index's worker reads them too, apart).
    const mine = sent.filter((c) => JSON.stringify(c.input).includes(`USER#${sub}`) && !('RequestItems' in c.input));
    const puts = mine.filter((c) => c.name === 'PutItem');
    expect(puts.length).toBeGreaterThan(1);
    for (const p of puts) expect(p.input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    // Each request reads once, before its write; a read after a lost write would make it more.
    expect(mine.filter((c) => c.name === 'Query' || c.name === 'GetItem')).toHaveLength(answers.length);
  });
});
