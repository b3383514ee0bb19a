// POST /v1/me/webhooks — a new webhook endpoint: its URL checked, its secret answered once.
import { outboundWebhookConfig } from '../../shared/config/outbound-webhooks';
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { createWebhook as create } from '../../shared/domain/webhooks';
import { created } from '../../shared/http/reply';
import { outboundUrlPolicy } from '../../shared/app/outbound';
import { route } from '../../shared/app/key-route';
import { createWebhook } from '../../lib/routes/me-webhooks';

const deps = {
  subscriptions: webhookSubscriptionsRepository(table()),
  deliveries: webhookDeliveriesRepository(table()),
  urls: outboundUrlPolicy(),
  limits: outboundWebhookConfig(),
};

export const handler = route(createWebhook, async ({ caller, body }) => created(await create(deps, caller.id, body)));
