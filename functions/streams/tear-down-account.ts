// Stream worker: an account's TEARDOWN record (USER#<sub> / TEARDOWN, INSERT or MODIFY) gets its next
// step done and marked; the mark's MODIFY brings the record back for the step after.
import { assistantConfig } from '../../shared/config/assistant';
import { table } from '../../shared/db/client';
import { integrationsRepository } from '../../shared/db/integrations';
import { poolAssignments } from '../../shared/db/pool';
import { teardownIdOfKey, teardownsRepository } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { advanceTeardown } from '../../shared/domain/teardown-progress';
import { logger } from '../../shared/observability/logger';
import { configuredDirectory } from '../../shared/providers/auth0';
import { configuredMailer } from '../../shared/providers/mailgun';
import { configuredSipgate, sipgateConfig } from '../../shared/providers/sipgate';
import { configuredBilling } from '../../shared/providers/stripe';
import { configuredExportFiles } from '../../shared/providers/s3';
import { configuredVapi } from '../../shared/providers/vapi';
import { partnerAccountsRepository } from '../../shared/db/partner-accounts';
import { worker } from '../../shared/streams/worker';
import { tearDownAccount } from '../../lib/workers';

const sipgate = sipgateConfig();
const vapi = configuredVapi();
const deps = {
  teardowns: teardownsRepository(table()),
  billing: configuredBilling(),
  lines: {
    users: usersRepository(table()),
    lines: integrationsRepository(table()),
    vapi,
    sipgate: configuredSipgate(),
    sipgateAccount: { userId: sipgate.userId, trunkDeviceId: sipgate.trunkDeviceId },
    poolCredentialId: assistantConfig().poolCredentialId,
  },
  pool: poolAssignments(table()),
  vapi,
  directory: configuredDirectory(),
  mailer: configuredMailer(),
  partnerAccounts: partnerAccountsRepository(table()),
  exportFiles: configuredExportFiles(),
};

export const handler = worker(tearDownAccount, async ({ keys }) => {
  const outcome = await advanceTeardown(deps, teardownIdOfKey(keys).userId);
  logger.debug('account teardown', { outcome });
});
