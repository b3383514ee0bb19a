// Stream worker: a failed subscription payment (USER#<sub> / PAYMENT_FAILED#<invoiceId> INSERT) gets
// the user an email with a link to update their payment method, once per invoice.
import { appConfig } from '../../shared/config/app';
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { paymentFailureIdOfKey, paymentFailuresRepository } from '../../shared/db/payment-failures';
import { usersRepository } from '../../shared/db/users';
import { notifyPaymentFailed as notify } from '../../shared/domain/payment-failed';
import { logger } from '../../shared/observability/logger';
import { configuredMailer } from '../../shared/providers/mailgun';
import { worker } from '../../shared/streams/worker';
import { notifyPaymentFailed } from '../../lib/workers';

const users = usersRepository(table());
const deps = {
  paymentFailures: paymentFailuresRepository(table()),
  recipient: (userId: string) => users.findSettings(userId),
  // The subscription row comes with the user's other rows: no repository reads it alone.
  subscription: async (userId: string) => (await users.loadUser(userId)).subscription,
  plans: plansConfig().plans,
  mailer: configuredMailer(),
  portalUrl: appConfig().portalUrl,
};

export const handler = worker(notifyPaymentFailed, async ({ keys }) => {
  const failure = paymentFailureIdOfKey(keys);
  const outcome = await notify(deps, failure);
  logger.info('payment failed email', { invoiceId: failure.invoiceId, outcome });
});
