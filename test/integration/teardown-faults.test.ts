// Account deletion with a fault at each step (generated from the step list): the fault holds the
// teardown without an email until it clears, and a re-drive then finishes it with nothing left and
// one email. The rest of account deletion: teardown.test.ts.
import { describe, expect, it } from 'vitest';
import { TEARDOWN_STEPS } from '../../shared/domain/teardown-steps';
import { waitFor } from '../support/stack';
import { settle } from '../support/state';
import { confirmations, expectNothingLeft, failTableDeletes, finished, provisioned, stack, teardowns, useTeardownStack } from '../support/teardown';

useTeardownStack();

/** How to make each step fail until cleared: its provider's fault switch, or the table's. */
const FAULTS: Record<string, () => Promise<void>> = {
  'cancel-subscription': () => stack.fault('stripe', { mode: 'error', count: 1000, match: '/v1/subscriptions/' }),
  'remove-phone-lines': () => stack.fault('sipgate', { mode: 'error', count: 1000, match: '/devices/' }),
  'delete-assistant': () => stack.fault('vapi', { mode: 'error', count: 1000, match: '/assistant/' }),
  'delete-call-logs': () => stack.fault('vapi', { mode: 'error', count: 1000, match: '/call/' }),
  // The account's files are listed by their prefix: failing the listing fails the step alone.
  'delete-exports': () => stack.fault('s3', { mode: 'error', count: 1000, match: 'list-type=2' }),
  'delete-rows': async () => failTableDeletes(true),
  'delete-login': () => stack.fault('auth0', { mode: 'error', count: 1000, match: '/api/v2/users/' }),
  'send-confirmation': () => stack.fault('mailgun', { mode: 'error', count: 1000, match: '/messages' }),
};

describe('a fault at each step', () => {
  const lone = TEARDOWN_STEPS.filter((s) => !s.applies);
  // The team's step (an owner's only) has its own test below, with a member's fault.
  it('every step of a lone account has a fault here, and the others are the team step', () => {
    expect(Object.keys(FAULTS).sort()).toEqual(lone.map((s) => s.name).sort());
    expect(TEARDOWN_STEPS.filter((s) => s.applies).map((s) => s.name)).toEqual(['await-team']);
  });

  it.each(lone.map((s) => [s.name] as const))('%s fails: the record stays, nothing is emailed; once it clears, a re-drive finishes with nothing left and one email', async (step) => {
    const u = await provisioned(`fault-${step}`);
    await FAULTS[step]!();
    expect((await u.call('DELETE', '/v1/me')).status).toBe(202);
    const parked = await waitFor('the record parked', async () => stack.streams.parked().find((p) => p.keys.pk === `USER#${u.sub}`), 60_000);
    const held = (await teardowns().get(u.sub))!;
    expect(held.status).toBe('running');
    const index = held.steps.indexOf(step);
    expect(held.steps.slice(0, index).every((s) => held.done[s])).toBe(true);
    expect(held.done[step]).toBeUndefined();
    expect(await confirmations(u.email)).toEqual([]);

    failTableDeletes(false);
    for (const name of ['vapi', 'sipgate', 'stripe', 'auth0', 'mailgun', 's3']) await fetch(`${stack.emulators[name]}/_faults`, { method: 'DELETE' });
    expect(stack.streams.redrive(parked.id)).toBe(1);
    await finished(u.sub);
    await settle(stack);
    await expectNothingLeft(u);
    expect(await confirmations(u.email)).toHaveLength(1);
  }, 180_000);
});
