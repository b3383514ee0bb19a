// Stream worker: a new call (USER#<sub> / CALL#… INSERT) is summarised to its owner by email, once, at
// a verified address (the settings', else Auth0's); without one the call is marked skipped.
import { appConfig } from '../../shared/config/app';
import { callIdOfKey, callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { usersRepository } from '../../shared/db/users';
import { sendCallSummary as send } from '../../shared/domain/calls';
import { logger } from '../../shared/observability/logger';
import { configuredDirectory } from '../../shared/providers/auth0';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { sendCallSummary } from '../../lib/workers';

const deps = {
  calls: callsRepository(table()),
  users: usersRepository(table()),
  directory: configuredDirectory(),
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(sendCallSummary, async ({ keys }) => {
  logger.info('call summary', { outcome: await send(deps, callIdOfKey(keys)) });
});
