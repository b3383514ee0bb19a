// Stream worker: a pool number's announced release was taken back (USER#<sub> / NUMBER_RELEASE#<effectiveAt>
// MODIFY: withdrawn, or its announcement marked after that): the user gets an email that the number stays, once.
import { appConfig } from '../../shared/config/app';
import { table } from '../../shared/db/client';
import { numberReleaseIdOfKey, numberReleasesRepository } from '../../shared/db/number-releases';
import { usersRepository } from '../../shared/db/users';
import { notifyNumberKept as notify } from '../../shared/domain/number-release';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyNumberKept } from '../../lib/workers';

const users = usersRepository(table());
const deps = {
  releases: numberReleasesRepository(table()),
  recipient: (userId: string) => users.findSettings(userId),
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(notifyNumberKept, async ({ keys }) => {
  const release = numberReleaseIdOfKey(keys);
  const outcome = await notify(deps, release);
  if (outcome !== 'not-withdrawn') logger.info('number kept email', { effectiveAt: release.effectiveAt, outcome });
});
