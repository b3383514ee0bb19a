// POST /v1/webhooks/stripe — Stripe's signed events keep the caller's subscription in step.
import { planPricesConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { paymentFailuresRepository } from '../../shared/db/payment-failures';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { handleStripeEvent } from '../../shared/domain/billing';
import { ok } from '../../shared/http/reply';
import { configuredBilling } from '../../shared/providers/stripe';
import { receiveStripeEvent } from '../../lib/routes/webhooks';
import { route } from '../../shared/app/route';

const deps = {
  subscriptions: subscriptionsRepository(table()),
  paymentFailures: paymentFailuresRepository(table()),
  billing: configuredBilling(),
  prices: planPricesConfig(),
};

export const handler = route(receiveStripeEvent, async ({ rawBody, headers }) =>
  ok({ received: true as const, outcome: await handleStripeEvent(deps, rawBody, headers['stripe-signature']) }),
);
