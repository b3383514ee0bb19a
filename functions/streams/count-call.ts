// Stream worker: a new call (USER#<sub> / CALL#... INSERT) is counted once in the month it started,
// from the record's image (the call row is written once and never changes what is counted).
import { table } from '../../shared/db/client';
import { statsRepository } from '../../shared/db/stats';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { countCall } from '../../lib/workers';

const stats = statsRepository(table());

export const handler = worker(countCall, async ({ newImage }) => {
  const call = { callId: String(newImage?.callId ?? ''), startedAt: String(newImage?.startedAt ?? ''), durationSeconds: Number(newImage?.durationSeconds ?? 0) };
  if (!call.callId || !/^\d{4}-\d\d/.test(call.startedAt)) return logger.warn('a call row without id or start: not counted');
  const counted = await stats.countCall(call, new Date());
  logger.debug('call counted', { callId: call.callId, counted });
});
