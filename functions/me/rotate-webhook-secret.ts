// POST /v1/me/webhooks/{webhookId}/rotate-secret — a new secret; the old one signs beside it for 24 hours.
import { table } from '../../shared/db/client';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { rotateSecret } from '../../shared/domain/webhooks';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { rotateWebhookSecret } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()) };

export const handler = route(rotateWebhookSecret, async ({ caller, params }) => ok(await rotateSecret(deps, { userId: caller.id, subscriptionId: params.webhookId })));
