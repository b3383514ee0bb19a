// Queue worker: one attempt of one webhook delivery per message (shared/domain/webhook-delivery.ts).
import { table } from '../../shared/db/client';
import { teardownsRepository } from '../../shared/db/teardowns';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { runAttempt } from '../../shared/domain/webhook-delivery';
import { logger } from '../../shared/observability/logger';
import { configuredWebhookQueue, type AttemptMessage } from '../../shared/queues/webhook-queue';
import { queueWorker } from '../../shared/streams/queue-worker';
import { webhookPost } from '../../shared/app/outbound';
import { deliverWebhook } from '../../lib/queues';

const teardowns = teardownsRepository(table());
const deps = {
  deliveries: webhookDeliveriesRepository(table()),
  subscriptions: webhookSubscriptionsRepository(table()),
  accountState: (userId: string) => teardowns.accountState(userId),
  queue: configuredWebhookQueue(),
  post: webhookPost(),
};

export const handler = queueWorker(deliverWebhook, async (body) => {
  const message = body as AttemptMessage;
  const result = await runAttempt(deps, message);
  logger.info('webhook attempt', { eventId: message.eventId, subscriptionId: message.subscriptionId, attempt: message.attempt, ...result });
});
