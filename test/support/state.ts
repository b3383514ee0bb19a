// What a request could change, for tests that prove a refusal changed nothing: every row of the
// table and every emulator's state, as one comparable text.
import { expect } from 'vitest';
import { RATE_LIMIT_PK_PREFIX } from '../../shared/db/rate-limits';
import type { TestStack } from './stack';

export async function snapshot(stack: TestStack): Promise<string> {
  const items = (await stack.scan())
    // A public form counts a request (after its reCAPTCHA check, before its write) by design.
    .filter((i) => !String(i.pk).startsWith(RATE_LIMIT_PK_PREFIX))
    .map((i) => JSON.stringify(i))
    .sort();
  const emulators = (await (await fetch(`${stack.hubUrl}/_inspect`)).json()) as Record<string, Record<string, unknown> | undefined>;
  // A 403 from a public form's reCAPTCHA check must ask the provider: its log of checks grows by design.
  delete emulators.recaptcha?.verifications;
  // So may a refusal that reads Auth0 (an admin's delete of a user with no rows asks whether the user
  // exists): the management token it takes is a grant, not state, and the adapter caches it for the
  // process, so whether a refusal is the first to take one depends on what ran before it.
  delete emulators.auth0?.managementTokens;
  return `${items.join('\n')}\n${JSON.stringify(emulators)}`;
}

/**
 * Waits until the stream workers have handled everything written so far and what runs on its own
 * (the Stripe emulator delivering webhook events, and what they write) has come to rest: two
 * snapshots in a row alike. Then answers the snapshot.
 */
export async function settle(stack: TestStack): Promise<string> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    await stack.streams.idle();
    const now = await snapshot(stack);
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the stack did not come to rest within 5 s');
}

/** Fails with the lines that differ when the state is not what it was. */
export async function expectUnchanged(stack: TestStack, before: string, label: string): Promise<void> {
  const after = await snapshot(stack);
  if (after === before) return;
  const was = new Set(before.split('\n'));
  const changed = after.split('\n').filter((l) => !was.has(l));
  expect.fail(`${label}: a refusal changed the table or called a provider:\n${changed.join('\n').slice(0, 2000)}`);
}
