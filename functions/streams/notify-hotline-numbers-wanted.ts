// Stream worker: an area's waiting row (HOTLINE_AREA#… INSERT: the first hotline there waits for a
// number) is emailed to the admins, once per row.
import { mailConfig } from '../../shared/config/mail';
import { table } from '../../shared/db/client';
import { hotlineNumbersRepository, waitingAreaOfKey } from '../../shared/db/hotline-numbers';
import { notifyHotlineNumbersWanted as notify } from '../../shared/domain/hotline-numbers-wanted';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyHotlineNumbersWanted } from '../../lib/workers';

const deps = {
  numbers: hotlineNumbersRepository(table()),
  mailer: configuredMailer(),
  adminInbox: mailConfig().supportInbox,
};

export const handler = worker(notifyHotlineNumbersWanted, async ({ keys }) => {
  const area = waitingAreaOfKey(keys);
  logger.info('hotline numbers wanted email', { ...area, outcome: await notify(deps, area) });
});
