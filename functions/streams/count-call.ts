// Stream worker: a new call (USER#<sub> / CALL#... INSERT) is counted once in the month it started,
// from the row as it is now, and the row is marked with the counter it went into (shared/db/stats.ts),
// so a record delivered again, and the rebuild (npm run reindex), count it nothing more.
import { callIdOfKey } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { statsRepository } from '../../shared/db/stats';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { countCall } from '../../lib/workers';

const stats = statsRepository(table());

export const handler = worker(countCall, async ({ keys }) => {
  const { outcome } = await stats.countCall(callIdOfKey(keys));
  if (outcome === 'not-countable') return logger.warn('a call row without id or start: not counted');
  logger.debug('call counted', { outcome });
});
