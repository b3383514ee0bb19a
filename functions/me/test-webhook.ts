// POST /v1/me/webhooks/{webhookId}/test — a `webhook.test` event to this endpoint alone.
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { sendTestEvent } from '../../shared/domain/webhooks';
import { accepted } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { testWebhook } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()), deliveries: webhookDeliveriesRepository(table()), limits: outboundWebhookConfig() };

export const handler = route(testWebhook, async ({ caller, params }) => accepted(await sendTestEvent(deps, { userId: caller.id, subscriptionId: params.webhookId })));
