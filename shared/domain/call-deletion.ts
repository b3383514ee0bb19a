// Deleting one call (a caller's request to have their data erased, passed on by the customer), here
// and at Vapi, in steps that resume where they stopped, like the account's teardown.
//
// requestCallDeletion — DELETE /v1/me/calls/{callId} (the portal's token).
//   1. the caller's call by id (one that is another user's, past its TTL or being deleted already is
//      404 `not-found`, as GET answers it);
//   2. one transaction records the deletion (USER#<sub> / CALLDELETION#<callId>) and marks the call
//      `deletionRequestedAt`: from then on no list or read shows it. A second request for the same
//      call finds it no longer: 404.
//
// purgeCall — the purgeCall worker, from the record's INSERT and MODIFY.
//   1. read the record (strongly consistent); nothing to do when it is gone;
//   2. run the first step not marked done and mark it (a MODIFY that brings the worker back):
//      `delete-at-vapi` deletes the call at Vapi (its transcript, recording and analysis; Vapi's
//      "not found" counts as done), then `delete-rows` deletes our rows: the call, its reference and
//      the rows linked to it (shared/db/call-deletions.ts CALL_LINKED_ROWS: its reports);
//   3. every step done: the record is deleted. A failing step throws; the stream retries the record
//      and parks it after the worker's attempts, and a re-drive goes on from that step.
import type { CallDeletionId, CallDeletionRow, CallDeletionsRepository } from '../db/call-deletions';
import type { CallsRepository } from '../db/calls';
import { logger } from '../observability/logger';
import type { VoiceAssistants } from '../providers/vapi';
import { CallNotFoundError } from './calls';
import { gone } from './gone';

export interface CallDeletionView {
  callId: string;
  status: 'deleting';
  requestedAt: string;
}

export async function requestCallDeletion(
  deps: { calls: Pick<CallsRepository, 'get'>; deletions: Pick<CallDeletionsRepository, 'request'>; now?: () => Date },
  userId: string,
  callId: string,
): Promise<CallDeletionView> {
  const now = deps.now?.() ?? new Date();
  const call = await deps.calls.get(userId, callId, now);
  if (!call) throw new CallNotFoundError();
  const requestedAt = now.toISOString();
  // The call went meanwhile (another request deleted it, or the account is being deleted): as not found.
  if (!(await deps.deletions.request({ userId, callId, startedAt: call.startedAt }, requestedAt))) throw new CallNotFoundError();
  logger.info('call deletion requested', { callId });
  return { callId, status: 'deleting', requestedAt };
}

export interface PurgeCallDeps {
  deletions: CallDeletionsRepository;
  vapi: Pick<VoiceAssistants, 'deleteCall'>;
  now?: () => Date;
}

interface CallDeletionStep {
  name: string;
  run(deps: PurgeCallDeps, id: CallDeletionId, record: CallDeletionRow): Promise<void>;
}

/** The steps, in order: Vapi's copy first, then ours (the record keeps what the first step needs). */
export const CALL_DELETION_STEPS: CallDeletionStep[] = [
  { name: 'delete-at-vapi', run: (deps, id) => gone(() => deps.vapi.deleteCall(id.callId)) },
  {
    name: 'delete-rows',
    async run(deps, id, record) {
      await deps.deletions.deleteCallRows({ userId: id.userId, callId: id.callId, startedAt: record.startedAt });
    },
  },
];

export type PurgeOutcome = { step: string } | 'completed' | 'nothing';

export async function purgeCall(deps: PurgeCallDeps, id: CallDeletionId): Promise<PurgeOutcome> {
  const record = await deps.deletions.get(id);
  if (!record) return 'nothing';
  const next = CALL_DELETION_STEPS.find((s) => !record.done[s.name]);
  if (!next) {
    await deps.deletions.remove(id);
    logger.info('call deletion completed', { callId: id.callId });
    return 'completed';
  }
  await next.run(deps, id, record);
  if (!(await deps.deletions.markStep(id, next.name, (deps.now?.() ?? new Date()).toISOString()))) return 'nothing';
  logger.info('call deletion step done', { callId: id.callId, step: next.name });
  return { step: next.name };
}
