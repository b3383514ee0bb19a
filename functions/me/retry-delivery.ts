// POST /v1/me/webhooks/{webhookId}/deliveries/{deliveryId}/retry — one more attempt of one delivery, now.
import { table } from '../../shared/db/client';
import { webhookDeliveriesRepository } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { retryDelivery as retry } from '../../shared/domain/webhooks';
import { accepted } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { retryDelivery } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()), deliveries: webhookDeliveriesRepository(table()) };

export const handler = route(retryDelivery, async ({ caller, params }) =>
  accepted(await retry(deps, { userId: caller.id, subscriptionId: params.webhookId, eventId: params.deliveryId })),
);
