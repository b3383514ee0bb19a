// Stream worker: a new call report (USER#<sub> / CALLREPORT#… INSERT) is emailed to the review inbox,
// once per report.
import { appConfig } from '../../shared/config/app';
import { mailConfig } from '../../shared/config/mail';
import { callReportIdOfKey, callReportsRepository } from '../../shared/db/call-reports';
import { table } from '../../shared/db/client';
import { notifyCallReport as notify } from '../../shared/domain/call-report';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyCallReport } from '../../lib/workers';

const deps = {
  callReports: callReportsRepository(table()),
  mailer: configuredMailer(),
  reviewInbox: mailConfig().reviewInbox,
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(notifyCallReport, async ({ keys }) => {
  logger.info('call report email', { outcome: await notify(deps, callReportIdOfKey(keys)) });
});
