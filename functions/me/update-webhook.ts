// PATCH /v1/me/webhooks/{webhookId} — changes an endpoint's URL, event types, description or state.
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { updateWebhook as update } from '../../shared/domain/webhooks';
import { ok } from '../../shared/http/reply';
import { outboundUrlPolicy } from '../../shared/app/outbound';
import { route } from '../../shared/app/key-route';
import { updateWebhook } from '../../lib/routes/me-webhooks';

const deps = {
  subscriptions: webhookSubscriptionsRepository(table()),
  deliveries: webhookDeliveriesRepository(table()),
  urls: outboundUrlPolicy(),
  limits: outboundWebhookConfig(),
};

export const handler = route(updateWebhook, async ({ caller, params, body }) =>
  ok(await update(deps, { userId: caller.id, subscriptionId: params.webhookId }, body)),
);
