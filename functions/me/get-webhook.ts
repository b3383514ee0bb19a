// GET /v1/me/webhooks/{webhookId} — one of the caller's webhook endpoints.
import { table } from '../../shared/db/client';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { getWebhook as get } from '../../shared/domain/webhooks';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { getWebhook } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()) };

export const handler = route(getWebhook, async ({ caller, params }) => ok(await get(deps, { userId: caller.id, subscriptionId: params.webhookId })));
