// POST /v1/me/webhooks/{webhookId}/recover — what failed since `since` gets one more attempt (a worker pages through it).
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { recoverDeliveries as recover } from '../../shared/domain/webhooks';
import { accepted } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { recoverDeliveries } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()), deliveries: webhookDeliveriesRepository(table()), limits: outboundWebhookConfig() };

export const handler = route(recoverDeliveries, async ({ caller, params, body }) =>
  accepted(await recover(deps, { userId: caller.id, subscriptionId: params.webhookId }, body.since)),
);
