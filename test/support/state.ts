// What a request could change, for tests that prove a refusal changed nothing: every row of the
// table and every emulator's state, as one comparable text.
//
// The table's part is read from its stream rather than scanned: every write that changes an item
// leaves a record with the item's old and new image (NEW_AND_OLD_IMAGES), and the stack's stream
// tailer hands each record it reads to a journal kept here, per stack. A snapshot names the journal's
// length once the tailer has read everything written before it (`idle`); the table is unchanged since
// a snapshot when every key written since has, in its last new image, what its first old image held
// (a write and its undoing, or a write of the same values, change nothing, as a scan would show). So a
// snapshot costs DynamoDB Local a few stream reads, not a scan of every row the worker's files wrote.
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { RATE_LIMIT_PK_PREFIX } from '../../shared/db/rate-limits';
import { API_KEY_LOOKUP_PK_PREFIX } from '../../shared/db/api-keys';
import type { TestStack } from './stack';

interface Change {
  key: string;
  old: string;
  new: string;
}

const journals = new WeakMap<TestStack, Change[]>();

/** JSON with object keys sorted: two images of one item compare equal whatever their attributes' order. */
const canonical = (v: unknown): string =>
  v === undefined ? '' : JSON.stringify(v, (_, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

function journalOf(stack: TestStack): Change[] {
  let journal = journals.get(stack);
  if (!journal) {
    const changes: Change[] = [];
    journal = changes;
    journals.set(stack, changes);
    stack.streams.onRecord((r: DynamoDBRecord) => {
      const keys = r.dynamodb?.Keys as Record<string, { S?: string }> | undefined;
      const pk = keys?.pk?.S ?? '';
      // A public form counts a request (after its reCAPTCHA check, before its write) by design, and so
      // does an API key (each request it authenticates, refused or not).
      if (pk.startsWith(RATE_LIMIT_PK_PREFIX)) return;
      // An API key's use moves its `lastUsedAt` (at most once a minute), whatever the route answers.
      const image = (i: unknown) => (pk.startsWith(API_KEY_LOOKUP_PK_PREFIX) && i ? { ...(i as object), lastUsedAt: undefined } : i);
      changes.push({ key: `${pk} / ${keys?.sk?.S ?? ''}`, old: canonical(image(r.dynamodb?.OldImage)), new: canonical(image(r.dynamodb?.NewImage)) });
    });
  }
  return journal;
}

/** The keys whose item differs now from what it was at journal position `from`, with both images. */
function changedSince(journal: Change[], from: number): string[] {
  const first = new Map<string, string>();
  const last = new Map<string, string>();
  for (const c of journal.slice(from)) {
    if (!first.has(c.key)) first.set(c.key, c.old);
    last.set(c.key, c.new);
  }
  return [...first].filter(([key, was]) => last.get(key) !== was).map(([key, was]) => `${key}: ${was || '(none)'} → ${last.get(key) || '(deleted)'}`);
}

/** After this long a snapshot still waiting for the stream workers says what is busy (and waits on). */
const IDLE_REPORT_MS = 12_000;

export async function snapshot(stack: TestStack): Promise<string> {
  const journal = journalOf(stack);
  // Workers busy (with their last error), or none: then the stream tailer itself has not come back.
  const report = setTimeout(() => console.error(`[state] the stream workers have not come to rest in ${IDLE_REPORT_MS / 1000} s; busy: ${JSON.stringify(stack.streams.busy())}`), IDLE_REPORT_MS);
  await stack.streams.idle().finally(() => clearTimeout(report));
  const position = journal.length;
  const emulators = (await (await fetch(`${stack.hubUrl}/_inspect?only=emulators`)).json()) as Record<string, Record<string, unknown> | undefined>;
  // A 403 from a public form's reCAPTCHA check must ask the provider: its log of checks grows by design.
  delete emulators.recaptcha?.verifications;
  // So may a refusal that reads Auth0 (an admin's delete of a user with no rows asks whether the user
  // exists): the management token it takes is a grant, not state, and the adapter caches it for the
  // process, so whether a refusal is the first to take one depends on what ran before it.
  delete emulators.auth0?.managementTokens;
  return `table journal at ${position}\n${JSON.stringify(emulators)}`;
}

const positionOf = (snap: string) => Number(/^table journal at (\d+)\n/.exec(snap)?.[1] ?? NaN);

/**
 * Waits until the stream workers have handled everything written so far and what runs on its own
 * (the Stripe emulator delivering webhook events, the queue's webhook attempts, and what they write)
 * has come to rest, then answers the snapshot: one taken while the stack had nothing under way
 * before and after it and began nothing meanwhile (its `motion()`), else two snapshots in a row alike.
 */
export async function settle(stack: TestStack): Promise<string> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const before = stack.motion();
    const now = await snapshot(stack);
    const after = stack.motion();
    if (now === last || (before.active === 0 && after.active === 0 && before.started === after.started)) return now;
    last = now;
    // Work under way: give it time. Work that began and ended meanwhile: look again at once.
    if (after.active > 0) await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the stack did not come to rest within 100 snapshots');
}

/** Fails with the rows and emulator state that differ when the state is not what it was. */
export async function expectUnchanged(stack: TestStack, before: string, label: string): Promise<void> {
  const after = await snapshot(stack);
  const rows = changedSince(journalOf(stack), positionOf(before));
  const emulatorsBefore = before.slice(before.indexOf('\n') + 1);
  const emulatorsAfter = after.slice(after.indexOf('\n') + 1);
  if (rows.length === 0 && emulatorsAfter === emulatorsBefore) return;
  const changed = emulatorsAfter === emulatorsBefore ? [] : [`emulators: ${emulatorsAfter.slice(0, 1000)}`];
  expect.fail(`${label}: a refusal changed the table or called a provider:\n${[...rows, ...changed].join('\n').slice(0, 2000)}`);
}
