// Stream worker: a webhook endpoint that five days of failures disabled (`disabledAt` set) is emailed
// to its owner once, at a verified address.
import { appConfig } from '../../shared/config/app';
import { table } from '../../shared/db/client';
import { usersRepository } from '../../shared/db/users';
import { webhookSubscriptionIdOfKey, webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { notifyWebhookDisabled as notify } from '../../shared/domain/webhooks';
import { logger } from '../../shared/observability/logger';
import { configuredDirectory } from '../../shared/providers/auth0';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyWebhookDisabled } from '../../lib/workers';

const deps = {
  subscriptions: webhookSubscriptionsRepository(table()),
  users: usersRepository(table()),
  directory: configuredDirectory(),
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(notifyWebhookDisabled, async ({ keys }) => {
  const id = webhookSubscriptionIdOfKey(keys);
  logger.info('webhook disabled email', { subscriptionId: id.subscriptionId, outcome: await notify(deps, id) });
});
