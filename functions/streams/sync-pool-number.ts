// Stream worker: a user's subscription row changed (USER#<sub> / SUBSCRIPTION INSERT or MODIFY): their
// pool number follows it (assigned or waited for, its release announced or withdrawn, or given back).
// A new pool line (INTEGRATION#POOL, from the assistant's PUT or a waiting user served) has its release
// followed alone: a number that arrives while a downgrade without one is pending gets it announced.
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { integrationsRepository } from '../../shared/db/integrations';
import { numberReleasesRepository } from '../../shared/db/number-releases';
import { poolLineIdOfKey } from '../../shared/db/pool-lines';
import { poolAssignments } from '../../shared/db/pool';
import { SUBSCRIPTION_KEYS, subscriptionIdOfKey } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { syncLineRelease, syncPoolNumber as sync } from '../../shared/domain/pool-waiting';
import { logger } from '../../shared/observability/logger';
import { configuredVapi } from '../../shared/providers/vapi';
import { worker } from '../../shared/streams/worker';
import { syncPoolNumber } from '../../lib/workers';

const deps = {
  users: usersRepository(table()),
  pool: poolAssignments(table()),
  releases: numberReleasesRepository(table()),
  lines: { lines: integrationsRepository(table()), vapi: configuredVapi() },
  plans: plansConfig().plans,
};

export const handler = worker(syncPoolNumber, async ({ keys }) => {
  const ofSubscription = keys.sk === SUBSCRIPTION_KEYS.sk;
  const { userId } = ofSubscription ? subscriptionIdOfKey(keys) : poolLineIdOfKey(keys);
  const outcome = ofSubscription ? await sync(deps, userId) : await syncLineRelease(deps, userId);
  if (outcome !== 'nothing') logger.info('pool number follows the subscription', { userId, outcome });
});
