// Stream worker: a recovery request (POST /v1/me/webhooks/{id}/recover) gives the endpoint's failed
// deliveries since its `since` one more attempt, a page per record.
import { table } from '../../shared/db/client';
import { recoveryIdOfKey, webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { recoverPage } from '../../shared/domain/webhooks';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { recoverWebhookDeliveries } from '../../lib/workers';

const deps = { subscriptions: webhookSubscriptionsRepository(table()), deliveries: webhookDeliveriesRepository(table()) };

export const handler = worker(recoverWebhookDeliveries, async ({ keys }) => {
  const id = recoveryIdOfKey(keys);
  logger.info('webhook recovery page', { recoveryId: id.recoveryId, ...(await recoverPage(deps, id)) });
});
