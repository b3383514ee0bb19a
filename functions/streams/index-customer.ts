// Stream worker: a customer's SETTINGS or SUBSCRIPTION row changed (or went with the account): their
// listing, search words and counters follow.
import { table } from '../../shared/db/client';
import { customerIdOfSourceKey, customerIndexRepository } from '../../shared/db/customers';
import { indexCustomer as reindex } from '../../shared/domain/customers';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { indexCustomer } from '../../lib/workers';

const deps = { customers: customerIndexRepository(table()) };

export const handler = worker(indexCustomer, async ({ keys }) => {
  const { outcome, counters } = await reindex(deps, customerIdOfSourceKey(keys).userId);
  logger.debug('customer index', { outcome, counters });
});
