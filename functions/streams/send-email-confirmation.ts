// Stream worker: a new address on a settings row (USER#<sub> / SETTINGS, `pendingEmailRequestedAt`
// changed) gets its confirmation link by email, once; only the token's hash is stored.
import { appConfig } from '../../shared/config/app';
import { table } from '../../shared/db/client';
import { settingsIdOfKey, usersRepository } from '../../shared/db/users';
import { sendEmailConfirmation as send } from '../../shared/domain/settings';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { sendEmailConfirmation } from '../../lib/workers';

const deps = {
  users: usersRepository(table()),
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(sendEmailConfirmation, async ({ keys }) => {
  logger.info('email confirmation', { outcome: await send(deps, settingsIdOfKey(keys).userId) });
});
