// What a request could change, for tests that prove a refusal changed nothing: every row of the
// table and every emulator's state, as one comparable text.
import { expect } from 'vitest';
import type { TestStack } from './stack';

export async function snapshot(stack: TestStack): Promise<string> {
  const items = (await stack.scan()).map((i) => JSON.stringify(i)).sort();
  const emulators = await (await fetch(`${stack.hubUrl}/_inspect`)).text();
  return `${items.join('\n')}\n${emulators}`;
}

/** Waits until the stream workers have handled everything written so far, then snapshots. */
export async function settle(stack: TestStack): Promise<string> {
  await stack.streams.idle();
  return snapshot(stack);
}

/** Fails with the lines that differ when the state is not what it was. */
export async function expectUnchanged(stack: TestStack, before: string, label: string): Promise<void> {
  const after = await snapshot(stack);
  if (after === before) return;
  const was = new Set(before.split('\n'));
  const changed = after.split('\n').filter((l) => !was.has(l));
  expect.fail(`${label}: a refusal changed the table or called a provider:\n${changed.join('\n').slice(0, 2000)}`);
}
