// The pool under contention: many first-time assistants at once, fewer free numbers than users. Each
// number goes to one user, no user gets two, the rest see "pending" and wait; and a number that frees
// up later goes to the one who has waited longest.
import { beforeAll, describe, expect, it } from 'vitest';
import { assistantConfig } from '../../shared/config/assistant';
import { waitFor, workerStack, type TestStack } from '../support/stack';
import { newUser, rowsOf } from '../support/users';
import { addFreePoolNumber } from '../support/rows';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const poolRows = async () => (await stack.scan()).filter((r) => String(r.pk).startsWith('POOL#'));

/** Tops the pool up (as an import would) so that exactly `count` numbers are free. */
async function makeFree(count: number): Promise<void> {
  const free = (await poolRows()).filter((r) => r.status === 'free').length;
  expect(free).toBeLessThanOrEqual(count);
  for (let i = free; i < count; i++) await addFreePoolNumber(stack);
}

const subscriber = () => newUser(stack, { prefix: 'pool', email: null, plan: 'business' });

describe('pool numbers under contention', () => {
  it('20 first-time assistants at once with 5 free numbers: 5 get distinct numbers, 15 are pending, none gets two', async () => {
    await makeFree(5);
    const users = await Promise.all(Array.from({ length: 20 }, subscriber));
    // A 503 (the table or a provider did not answer in time) asks the client to try again, and the
    // portal does: on a slow two-core machine twenty transactions at once can outlive the table's 2 s.
    const put = async (token: string) => {
      for (let attempt = 1; ; attempt++) {
        const answer = await stack.call('PUT', '/v1/me/assistant', { token, body: { greeting: 'Guten Tag', language: 'de' } });
        if (answer.status !== 503 || attempt === 5) return answer;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const answers = await Promise.all(users.map((u) => put(u.token)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));

    const withNumber = answers.filter((a) => a.body.phoneNumber?.number);
    const pending = answers.filter((a) => a.body.phoneNumber?.status === 'pending');
    expect(withNumber).toHaveLength(5);
    expect(pending).toHaveLength(15);
    expect(new Set(withNumber.map((a) => a.body.phoneNumber.number)).size).toBe(5);

    // The table agrees: every pool number assigned to one of them, one line per user at most.
    const assigned = (await poolRows()).filter((r) => r.status === 'assigned');
    expect(assigned).toHaveLength(5);
    expect(new Set(assigned.map((r) => r.userId)).size).toBe(5);
    const lines = (await stack.scan()).filter((r) => r.sk === 'INTEGRATION#POOL');
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((r) => r.pk)).size).toBe(5);
    for (const line of lines) {
      expect(assigned.find((r) => r.number === line.number)?.userId).toBe(String(line.pk).slice('USER#'.length));
    }

    // Each assigned number is bound once in Vapi, to its user's assistant.
    await stack.streams.idle();
    const vapi = await stack.inspect<{ phoneNumbers: Record<string, unknown>[] }>('vapi');
    const bound = vapi.phoneNumbers.filter((p) => p.credentialId === assistantConfig().poolCredentialId);
    expect(bound.map((p) => p.number).sort()).toEqual(withNumber.map((a) => a.body.phoneNumber.number).sort());
    for (const a of withNumber) {
      expect(bound.find((p) => p.number === a.body.phoneNumber.number)?.assistantId).toBe(a.body.assistantId);
    }

    // A pending user's profile says so, and each of them waits, in the order they asked.
    const waiting = users[answers.indexOf(pending[0]!)]!;
    expect((await stack.call('GET', '/v1/me', { token: waiting.token })).body.assistant.phoneNumber).toEqual({ status: 'pending' });
    const markers = (await stack.scan()).filter((r) => r.sk === 'POOL_WAITING').sort((a, b) => String(a.gsi1sk).localeCompare(String(b.gsi1sk)));
    const pendingSubs = pending.map((a) => users[answers.indexOf(a)]!.sub).sort();
    expect(markers.map((m) => m.userId).sort()).toEqual(pendingSubs);
    expect(markers.every((m) => m.gsi1pk === 'POOL_WAITING' && m.gsi1sk === `${String(m.since)}#${String(m.userId)}`)).toBe(true);

    // A number that becomes free goes to the user who has waited longest, without a PUT of theirs.
    const first = String(markers[0]!.userId);
    const freed = await addFreePoolNumber(stack, undefined, { keepFree: false });
    await stack.streams.idle();
    const [line] = await rowsOf(stack, first, 'INTEGRATION#POOL');
    expect(line).toMatchObject({ number: freed });
    expect(await rowsOf(stack, first, 'POOL_WAITING')).toEqual([]);
    expect((await stack.scan()).filter((r) => r.sk === 'POOL_WAITING')).toHaveLength(14);
    const firstUser = users.find((u) => u.sub === first)!;
    await waitFor('the waiting user\'s number bound', async () => (await stack.call('GET', '/v1/me', { token: firstUser.token })).body.assistant.phoneNumber.status === 'active');

    // A PUT of another waiting user finds none free, and keeps their place.
    const second = users.find((u) => u.sub === String(markers[1]!.userId))!;
    const retry = await stack.call('PUT', '/v1/me/assistant', { token: second.token, body: { greeting: 'Guten Tag', language: 'de' } });
    expect(retry.body.phoneNumber).toEqual({ status: 'pending' });
    expect((await rowsOf(stack, second.sub, 'POOL_WAITING'))[0]).toMatchObject({ since: markers[1]!.since });
  });
});
