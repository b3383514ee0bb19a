// Stream worker: a pool number's release at the period's end was announced (USER#<sub> /
// NUMBER_RELEASE#<effectiveAt> INSERT, or MODIFY when announced again after it was taken back): the
// user gets an email naming the number and the date, once per announcement.
import { appConfig } from '../../shared/config/app';
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { numberReleaseIdOfKey, numberReleasesRepository } from '../../shared/db/number-releases';
import { usersRepository } from '../../shared/db/users';
import { notifyNumberRelease as notify } from '../../shared/domain/number-release';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyNumberRelease } from '../../lib/workers';

const users = usersRepository(table());
const deps = {
  releases: numberReleasesRepository(table()),
  recipient: (userId: string) => users.findSettings(userId),
  plans: plansConfig().plans,
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(notifyNumberRelease, async ({ keys }) => {
  const release = numberReleaseIdOfKey(keys);
  const outcome = await notify(deps, release);
  logger.info('number release email', { effectiveAt: release.effectiveAt, outcome });
});
