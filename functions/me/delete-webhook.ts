// DELETE /v1/me/webhooks/{webhookId} — the endpoint goes (and its count against the limit).
import { table } from '../../shared/db/client';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { deleteWebhook as remove } from '../../shared/domain/webhooks';
import { noContent } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { deleteWebhook } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()) };

export const handler = route(deleteWebhook, async ({ caller, params }) => {
  await remove(deps, { userId: caller.id, subscriptionId: params.webhookId });
  return noContent();
});
