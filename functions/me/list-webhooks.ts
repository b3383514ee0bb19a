// GET /v1/me/webhooks — the caller's webhook endpoints.
import { table } from '../../shared/db/client';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { listWebhooks as list } from '../../shared/domain/webhooks';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/key-route';
import { listWebhooks } from '../../lib/routes/me-webhooks';

const deps = { subscriptions: webhookSubscriptionsRepository(table()) };

export const handler = route(listWebhooks, async ({ caller }) => ok(await list(deps, caller.id)));
