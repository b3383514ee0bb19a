// The re-dating of an account's stored calls after its retention changed (PATCH /v1/me/settings sets
// `callRetentionDays` and, with it, `callRedating` on the settings row).
//
// redateCalls — the redateCalls worker, from the settings row's INSERT or MODIFY whose `callRedating`
// changed: a stream worker that goes one bounded page at a time, its progress on the row, so it
// resumes where it stopped.
//   1. read the settings (strongly consistent); nothing to do without a `callRedating`;
//   2. read one page (REDATE_PAGE calls, oldest first) from where the last one stopped; each call
//      still live gets the TTL of the new period after its start (on its row and its reference; a
//      call already at that TTL is left alone, one past its old TTL stays gone: DynamoDB may delete
//      it any moment);
//   3. write the next page's start on `callRedating` (a MODIFY that brings the worker back), or
//      remove it after the last page; both only while the row's re-dating is still the one read: a
//      newer change replaced it and starts again from the first call. A failure throws, the stream
//      retries the record, which reads the row again and redoes the page (setting a TTL twice is
//      harmless).
import { expiresAfterDays } from '../config/retention';
import type { CallsRepository } from '../db/calls';
import type { ToolCallsRepository } from '../db/tool-calls';
import type { UsersRepository } from '../db/users';
import { logger } from '../observability/logger';

/** Calls per page: one page's updates stay far inside a worker's time. */
export const REDATE_PAGE = 100;

export interface RedateDeps {
  users: Pick<UsersRepository, 'findSettings' | 'advanceCallRedating'>;
  calls: Pick<CallsRepository, 'ttlPage' | 'setTtl'>;
  /** Each re-dated call's tool-call rows take its new TTL. */
  toolCalls: Pick<ToolCallsRepository, 'setTtlOfCall'>;
  now?: () => Date;
}

export type RedateOutcome = 'nothing' | { redated: number; more: boolean; superseded: boolean };

export async function redateCalls(deps: RedateDeps, userId: string): Promise<RedateOutcome> {
  const settings = await deps.users.findSettings(userId);
  const job = settings?.callRedating;
  if (!job) return 'nothing';
  const now = deps.now?.() ?? new Date();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const page = await deps.calls.ttlPage(userId, { limit: REDATE_PAGE, after: job.after });
  let redated = 0;
  for (const call of page.items) {
    if (call.ttl !== undefined && call.ttl <= nowSeconds) continue;
    const ttl = expiresAfterDays(new Date(Math.min(Date.parse(call.startedAt), now.getTime())), job.days);
    if (call.ttl === ttl) continue;
    if (await deps.calls.setTtl(call, ttl)) {
      redated++;
      await deps.toolCalls.setTtlOfCall(userId, call.callId, ttl);
    }
  }
  const advanced = await deps.users.advanceCallRedating(userId, job.requestedAt, page.after);
  if (!advanced) logger.info('call re-dating superseded by a newer retention', { redated });
  return { redated, more: page.after !== undefined, superseded: !advanced };
}
