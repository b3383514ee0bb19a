// Stream worker: a data export (USER#<sub> / EXPORT#<id>) whose `status` changed: `requested` → its
// files are written to the exports bucket and it is marked ready; `ready` → the customer is emailed.
import { appConfig } from '../../shared/config/app';
import { exportLimitsConfig } from '../../shared/config/exports';
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { exportIdOfKey, exportsRepository } from '../../shared/db/exports';
import { teardownsRepository } from '../../shared/db/teardowns';
import { usersRepository } from '../../shared/db/users';
import { produceExport as produce } from '../../shared/domain/data-export';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { configuredExportFiles } from '../../shared/providers/s3';
import { worker } from '../../shared/streams/worker';
import { produceExport } from '../../lib/workers';

const deps = {
  t: table(),
  exports: exportsRepository(table()),
  teardowns: teardownsRepository(table()),
  users: usersRepository(table()),
  files: configuredExportFiles(),
  mailer: configuredMailer(),
  limits: exportLimitsConfig(),
  callRetention: retentionConfig().calls,
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(produceExport, async ({ keys }) => {
  logger.info('data export', { outcome: await produce(deps, exportIdOfKey(keys)) });
});
