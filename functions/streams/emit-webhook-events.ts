// Stream worker: a change in an account that customers subscribe to (a call, a call report, the
// subscription, the assistant, a phone line) becomes a webhook event with its deliveries, once.
import { appConfig } from '../../shared/config/app';
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { emitWebhookEvent } from '../../shared/domain/webhook-events';
import { logger } from '../../shared/observability/logger';
import { worker } from '../../shared/streams/worker';
import { emitWebhookEvents } from '../../lib/workers';

const deps = {
  subscriptions: webhookSubscriptionsRepository(table()),
  deliveries: webhookDeliveriesRepository(table()),
  portalUrl: appConfig().portalUrl,
  retentionDays: outboundWebhookConfig().retentionDays,
};

export const handler = worker(emitWebhookEvents, async (row) => {
  const result = await emitWebhookEvent(deps, row);
  if (result.outcome !== 'no-event') logger.info('webhook event', result);
});
