// Stream worker: a user's subscription row changed (USER#<sub> / SUBSCRIPTION INSERT or MODIFY): their
// pool number follows it (assigned or waited for, its release announced, or given back).
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { integrationsRepository } from '../../shared/db/integrations';
import { numberReleasesRepository } from '../../shared/db/number-releases';
import { poolAssignments } from '../../shared/db/pool';
import { subscriptionIdOfKey } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { syncPoolNumber as sync } from '../../shared/domain/pool-waiting';
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
  const { userId } = subscriptionIdOfKey(keys);
  const outcome = await sync(deps, userId);
  if (outcome !== 'nothing') logger.info('pool number follows the subscription', { userId, outcome });
});
