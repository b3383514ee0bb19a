// Stream worker: a webhook delivery whose next attempt was asked for (`dispatchRequestedAt` changed)
// gets it queued, with the wait until it is due.
import { table } from '../../shared/db/client';
import { deliveryIdOfKey, webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { dispatchAttempt } from '../../shared/domain/webhook-delivery';
import { logger } from '../../shared/observability/logger';
import { configuredWebhookQueue } from '../../shared/queues/webhook-queue';
import { worker } from '../../shared/streams/worker';
import { dispatchWebhookDelivery } from '../../lib/workers';

const deps = { deliveries: webhookDeliveriesRepository(table()), queue: configuredWebhookQueue() };

export const handler = worker(dispatchWebhookDelivery, async ({ keys }) => {
  const id = deliveryIdOfKey(keys);
  logger.info('webhook attempt dispatch', { eventId: id.eventId, subscriptionId: id.subscriptionId, outcome: await dispatchAttempt(deps, id) });
});
