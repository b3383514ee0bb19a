// GET /v1/me/webhooks/{webhookId}/deliveries — the endpoint's delivery log, newest first.
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { listDeliveries } from '../../shared/domain/webhooks';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { listWebhookDeliveries } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()), deliveries: webhookDeliveriesRepository(table()) };

export const handler = route(listWebhookDeliveries, async ({ caller, params, query }) =>
  ok(await listDeliveries(deps, { userId: caller.id, subscriptionId: params.webhookId }, query)),
);
