// POST /v1/me/subscription/plan-change — an upgrade now (prorated), a downgrade at the period's end.
import { planPricesConfig, plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { changePlan as change } from '../../shared/domain/billing';
import { ok } from '../../shared/http/reply';
import { configuredBilling } from '../../shared/providers/stripe';
import { changePlan } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = {
  users: usersRepository(table()),
  subscriptions: subscriptionsRepository(table()),
  billing: configuredBilling(),
  plans: plansConfig().plans,
  prices: planPricesConfig(),
};

export const handler = route(changePlan, async ({ caller, body }) => ok(await change(deps, caller, body.targetPlanId)));
