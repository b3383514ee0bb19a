// Stream worker: an account's call retention changed (USER#<sub> / SETTINGS, `callRedating` changed):
// one page of its stored calls gets the new TTL (with their tool-call rows), and the row the page where
// the next one starts.
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { toolCallsRepository } from '../../shared/db/tool-calls';
import { settingsIdOfKey, usersRepository } from '../../shared/db/users';
import { redateCalls as redate } from '../../shared/domain/call-retention';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { redateCalls } from '../../lib/workers';

const deps = { users: usersRepository(table()), calls: callsRepository(table()), toolCalls: toolCallsRepository(table()) };

export const handler = worker(redateCalls, async ({ keys }) => {
  logger.info('call re-dating', { outcome: await redate(deps, settingsIdOfKey(keys).userId) });
});
