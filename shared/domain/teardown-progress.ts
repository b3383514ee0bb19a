// An account teardown's progress (teardown-request.ts starts it): the view the routes answer, and
// the worker that advances it one step (teardown-steps.ts) at a time.
//
// advanceTeardown — the tearDownAccount worker, from each INSERT and MODIFY of a record.
//   1. read the record (strongly consistent); nothing to do when it is gone or done;
//   2. run the first step not marked done (TEARDOWN_STEPS, in order) and mark it, with what it learned:
//      the mark is a MODIFY, which brings the worker back for the next step. A step the provider
//      answers "not found" for is done; a failing step throws, the stream retries the record and parks
//      it after the worker's attempts; a re-drive reads the record again and goes on from that step;
//   3. all done: tell the owner's record (a member's), then make the record the tombstone.
//   The window left: the confirmation accepted by Mailgun and its mark not written sends it again.
import { TOMBSTONE_SECONDS } from '../config/teardown';
import type { TeardownResource, TeardownRow } from '../db/teardowns';
import { logger } from '../observability/logger';
import { TEARDOWN_STEPS, type TeardownDeps } from './teardown-steps';

export interface TeardownView {
  teardownId: string;
  userId: string;
  status: 'running' | 'done';
  requestedAt: string;
  completedAt: string | null;
  steps: { name: string; doneAt: string | null }[];
  members: { userId: string; doneAt: string | null }[];
  resources: TeardownResource[];
}

export function teardownView(r: TeardownRow): TeardownView {
  return {
    teardownId: r.teardownId,
    userId: r.userId,
    status: r.status,
    requestedAt: r.requestedAt,
    completedAt: r.completedAt ?? null,
    steps: r.steps.map((name) => ({ name, doneAt: r.done[name] ?? null })),
    members: (r.members ?? []).map((userId) => ({ userId, doneAt: r.membersDone?.[userId] ?? null })),
    resources: r.resources ?? [],
  };
}

// --- The worker ----------------------------------------------------------------------------------

export type AdvanceOutcome = { step: string } | 'waiting' | 'completed' | 'nothing';

export async function advanceTeardown(deps: TeardownDeps, userId: string): Promise<AdvanceOutcome> {
  const record = await deps.teardowns.get(userId);
  if (!record || record.status === 'done') return 'nothing';
  const at = () => (deps.now?.() ?? new Date()).toISOString();
  const next = TEARDOWN_STEPS.find((s) => record.steps.includes(s.name) && !record.done[s.name]);
  if (next) {
    const outcome = await next.run(deps, record);
    if (outcome === 'waiting') return 'waiting';
    await deps.teardowns.markStep(userId, record.teardownId, next.name, at(), outcome.fields);
    logger.info('account teardown step done', { teardownId: record.teardownId, step: next.name });
    return { step: next.name };
  }
  // Everything removed: the owner learns first (a retry tells it again, harmlessly), then the tombstone.
  if (record.ownerId) await deps.teardowns.markMemberDone(record.ownerId, userId, at());
  const completedAt = at();
  await deps.teardowns.complete(userId, record.teardownId, completedAt, Math.floor(Date.parse(completedAt) / 1000) + TOMBSTONE_SECONDS);
  logger.info('account teardown completed', { teardownId: record.teardownId });
  return 'completed';
}
