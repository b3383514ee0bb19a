// Stream worker: a call's deletion record (USER#<sub> / CALLDELETION#<callId>, INSERT or MODIFY) gets
// its next step done and marked (Vapi's copy, then our rows); the mark brings it back for the next.
import { callDeletionIdOfKey, callDeletionsRepository } from '../../shared/db/call-deletions';
import { table } from '../../shared/db/client';
import { purgeCall as purge } from '../../shared/domain/call-deletion';
import { logger } from '../../shared/observability/logger';
import { configuredVapi } from '../../shared/providers/vapi';
import { worker } from '../../shared/streams/worker';
import { purgeCall } from '../../lib/workers';

const deps = { deletions: callDeletionsRepository(table()), vapi: configuredVapi() };

export const handler = worker(purgeCall, async ({ keys }) => {
  logger.info('call deletion', { outcome: await purge(deps, callDeletionIdOfKey(keys)) });
});
