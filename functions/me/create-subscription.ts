// POST /v1/me/subscription — the caller's Stripe customer (once) and a subscription for the plan,
// which the portal then confirms; Stripe's webhook keeps the row in step afterwards.
import { planPricesConfig, plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { subscribe } from '../../shared/domain/billing';
import { created } from '../../shared/http/reply';
import { configuredBilling } from '../../shared/providers/stripe';
import { createSubscription } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = {
  users: usersRepository(table()),
  subscriptions: subscriptionsRepository(table()),
  billing: configuredBilling(),
  plans: plansConfig().plans,
  prices: planPricesConfig(),
};

export const handler = route(createSubscription, async ({ caller, body }) => created(await subscribe(deps, caller, body.planId)));
