// Billing: the caller's Stripe subscription and the Stripe webhook.
//
// subscribe (POST /v1/me/subscription)
//   1. refuse (409) when the user has a subscription that is not over, or another request is creating one;
//   2. claim the creation on the row (conditional), numbering the attempt;
//   3. the Stripe customer, once per user: the stored id, else the one Stripe holds for the user, else a new one; stored at once;
//   4. the subscription for the plan's price, `default_incomplete` (the portal confirms the first payment
//      with the client secret), under a Stripe idempotency key made of the user and the attempt, so a
//      retry after a crash gets the same subscription back instead of a second one;
//   5. the row completed with Stripe's answer, unless a webhook event has already set a newer state.
//   A Stripe failure gives the claim back (the customer id stays).
//
// changePlan (POST /v1/me/subscription/plan-change)
//   An upgrade (a higher monthly price) takes effect now, prorated, and releases a pending downgrade; a
//   downgrade is scheduled for the end of the period (a subscription schedule). The target being the
//   current plan: with a pending downgrade it is cancelled (the schedule released), else 409.
//
// handleStripeEvent (POST /v1/webhooks/stripe)
//   The signature is checked on the raw body (400 otherwise, nothing stored). The event's customer
//   names the user (gsi1); an unknown customer or event type is acknowledged and logged. Each event
//   is applied once and never over a newer state (shared/db/subscriptions.ts `applyEvent`). A failed
//   payment also writes a PAYMENT_FAILED row per invoice, from which a stream worker emails the user once.
import { randomUUID } from 'node:crypto';
import type { Plan, PlanId } from '../config/plans';
import type { PaymentFailuresRepository } from '../db/payment-failures';
import { subscriptionEnded, subscriptionInForce, type EventOutcome, type SubscriptionRow, type SubscriptionState, type SubscriptionsRepository } from '../db/subscriptions';
import type { UsersRepository } from '../db/users';
import { ConflictError } from '../errors';
import { assertAccountOpen } from './account-state';
import type { Caller } from '../model/caller';
import { logger } from '../observability/logger';
import type { Billing, BillingEvent } from '../providers/stripe/port';
import { subscriptionView } from './subscription-view';

export interface BillingDeps {
  users: Pick<UsersRepository, 'loadUser'>;
  subscriptions: SubscriptionsRepository;
  billing: Billing;
  plans: Plan[];
  /** Stripe's price of each plan. */
  prices: Record<PlanId, string>;
  now?: () => Date;
}

export class SubscriptionExistsError extends ConflictError {
  constructor(detail = 'You already have a subscription; change its plan instead.') {
    super(detail, 'subscription-exists');
  }
}
export class NoSubscriptionError extends ConflictError {
  constructor() {
    super('You have no subscription to change; subscribe first.', 'no-subscription');
  }
}
export class PaymentPendingError extends ConflictError {
  constructor() {
    super('The subscription waits for its first payment: confirm it before changing the plan.', 'payment-pending');
  }
}
export class SamePlanError extends ConflictError {
  constructor() {
    super('The subscription is on this plan already.', 'same-plan');
  }
}

export async function subscribe(deps: BillingDeps, caller: Pick<Caller, 'id' | 'email' | 'name'>, planId: PlanId) {
  const now = deps.now?.() ?? new Date();
  // The route's account gate, folded into this Query (`accountState` in its manifest entry).
  const rows = await deps.users.loadUser(caller.id, { consistent: true });
  assertAccountOpen(rows.teardown);
  const current = rows.subscription;
  if (current && !subscriptionEnded(current)) {
    throw current.status ? new SubscriptionExistsError() : new SubscriptionExistsError('Another request is creating your subscription right now.');
  }
  const claimId = randomUUID();
  const attempt = (current?.attempt ?? 0) + (current?.status ? 1 : current ? 0 : 1);
  if (!(await deps.subscriptions.claim(caller.id, { claimId, planId, attempt, now }))) {
    throw new SubscriptionExistsError('Another request is creating your subscription right now.');
  }
  try {
    const customerId = await deps.billing.ensureCustomer({
      userId: caller.id,
      email: rows.settings?.email ?? caller.email ?? '',
      name: rows.settings?.name ?? caller.name ?? undefined,
      customerId: current?.stripeCustomerId,
    });
    await deps.subscriptions.setCustomer(caller.id, claimId, customerId);
    const created = await deps.billing.createSubscription({
      customerId,
      priceId: deps.prices[planId],
      userId: caller.id,
      idempotencyKey: `fonella-subscription-${caller.id}-${attempt}`,
    });
    const currentPeriodEnd = created.currentPeriodEnd.toISOString();
    await deps.subscriptions.complete(caller.id, claimId, {
      subscriptionId: created.subscriptionId,
      status: created.status,
      currentPeriodEnd,
      at: created.createdAt,
      now: (deps.now?.() ?? new Date()).toISOString(),
    });
    return { subscriptionId: created.subscriptionId, planId, status: created.status, clientSecret: created.clientSecret, currentPeriodEnd };
  } catch (err) {
    await deps.subscriptions.release(caller.id, claimId).catch((e: unknown) => logger.error('subscription claim not released', { error: e as Error }));
    throw err;
  }
}

export async function changePlan(deps: BillingDeps, caller: Pick<Caller, 'id'>, targetPlanId: PlanId) {
  const now = (deps.now?.() ?? new Date()).toISOString();
  // The route's account gate, folded into this Query (`accountState` in its manifest entry).
  const rows = await deps.users.loadUser(caller.id, { consistent: true });
  assertAccountOpen(rows.teardown);
  const sub = rows.subscription;
  if (!sub?.stripeSubscriptionId || !sub.status || subscriptionEnded(sub)) throw new NoSubscriptionError();
  // Stripe refuses to change the items of an `incomplete` subscription.
  if (!subscriptionInForce(sub)) throw new PaymentPendingError();
  const subscriptionId = sub.stripeSubscriptionId;
  const price = (id: PlanId) => deps.plans.find((p) => p.id === id)?.monthlyPriceCents ?? 0;

  let next: SubscriptionRow = sub;
  if (targetPlanId === sub.planId) {
    if (!sub.pendingChange) throw new SamePlanError();
    // Staying on the current plan: the pending downgrade is dropped (changePlanNow releases its schedule).
    const { releasedAt } = await deps.billing.changePlanNow({ subscriptionId, priceId: deps.prices[targetPlanId] });
    await deps.subscriptions.setPlan(caller.id, subscriptionId, { pendingChange: null, now, stripeAt: releasedAt });
    next = { ...sub, pendingChange: null };
  } else if (price(targetPlanId) > price(sub.planId)) {
    const { releasedAt } = await deps.billing.changePlanNow({ subscriptionId, priceId: deps.prices[targetPlanId] });
    await deps.subscriptions.setPlan(caller.id, subscriptionId, { planId: targetPlanId, pendingChange: null, now, stripeAt: releasedAt });
    next = { ...sub, planId: targetPlanId, pendingChange: null };
  } else {
    if (sub.pendingChange?.planId === targetPlanId) return subscriptionView(sub)!;
    const scheduled = await deps.billing.schedulePlanChange({ subscriptionId, priceId: deps.prices[targetPlanId] });
    const pendingChange = { planId: targetPlanId, effectiveAt: scheduled.effectiveAt.toISOString(), scheduleId: scheduled.scheduleId };
    await deps.subscriptions.setPlan(caller.id, subscriptionId, { pendingChange, now, stripeAt: scheduled.scheduledAt });
    next = { ...sub, pendingChange };
  }
  return subscriptionView(next)!;
}

// --- the webhook ---------------------------------------------------------------------------------

export interface WebhookDeps {
  subscriptions: SubscriptionsRepository;
  paymentFailures: PaymentFailuresRepository;
  billing: Pick<Billing, 'verifyWebhook'>;
  prices: Record<PlanId, string>;
  now?: () => Date;
}

/** For events of the same second: a later kind of event wins over an earlier kind. */
const RANK: Record<string, number> = {
  'customer.subscription.created': 0,
  'invoice.paid': 1,
  'invoice.payment_failed': 1,
  'customer.subscription.updated': 2,
  'subscription_schedule.updated': 2,
  'subscription_schedule.released': 3,
  'subscription_schedule.canceled': 3,
  'subscription_schedule.completed': 3,
  'customer.subscription.deleted': 4,
};

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const objOf = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const idOf = (v: unknown) => str(v) ?? str(objOf(v).id);
const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

export async function handleStripeEvent(deps: WebhookDeps, rawBody: string, signature: string | undefined): Promise<EventOutcome | 'ignored'> {
  const event = deps.billing.verifyWebhook(rawBody, signature);
  const rank = RANK[event.type];
  if (rank === undefined) {
    logger.info('stripe event ignored: not a type we follow', { eventId: event.id, type: event.type });
    return 'ignored';
  }
  const object = event.data.object;
  const customerId = idOf(object.customer);
  const userId = customerId ? await deps.subscriptions.userOfCustomer(customerId) : undefined;
  if (!userId) {
    logger.warn('stripe event for a customer we do not know', { eventId: event.id, type: event.type, customerId });
    return 'ignored';
  }
  const read = readEvent(event, deps.prices);
  if (!read) {
    logger.warn('stripe event without a subscription', { eventId: event.id, type: event.type });
    return 'ignored';
  }
  const now = deps.now?.() ?? new Date();
  const outcome = await deps.subscriptions.applyEvent(userId, {
    eventId: event.id,
    created: Math.floor(event.created.getTime() / 1000),
    rank,
    subscriptionId: read.subscriptionId,
    state: read.state,
    now,
  });
  if (event.type === 'invoice.payment_failed' && outcome !== 'duplicate') {
    // Its own row, once per invoice: the notifyPaymentFailed worker emails the user from its INSERT.
    const invoiceId = idOf(object.id) ?? event.id;
    await deps.paymentFailures.record(userId, {
      invoiceId,
      subscriptionId: read.subscriptionId,
      amountDue: num(object.amount_due) ?? 0,
      currency: str(object.currency) ?? 'eur',
      failedAt: event.created.toISOString(),
      eventId: event.id,
    });
  }
  logger.info('stripe event', { eventId: event.id, type: event.type, outcome });
  return outcome;
}

/** The subscription an event is about and the state it carries, read defensively from Stripe's object. */
function readEvent(event: BillingEvent, prices: Record<PlanId, string>): { subscriptionId: string; state: SubscriptionState } | undefined {
  const o = event.data.object;
  const planOf = (priceId: string | undefined) => (Object.entries(prices).find(([, p]) => p === priceId)?.[0] as PlanId | undefined);
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const id = idOf(o.id);
      if (!id) return undefined;
      const item = objOf((objOf(o.items).data as unknown[] | undefined)?.[0]);
      const end = num(item.current_period_end) ?? num(o.current_period_end);
      const deleted = event.type === 'customer.subscription.deleted';
      return {
        subscriptionId: id,
        state: {
          status: deleted ? 'canceled' : str(o.status),
          planId: planOf(idOf(item.price)),
          currentPeriodEnd: iso(end),
          // No schedule any more: no pending change (a released or completed downgrade).
          ...(o.schedule === null || deleted ? { pendingChange: null } : {}),
          // Canceled at the period's end, as the customer asked (Stripe's portal, or the dashboard).
          ...(typeof o.cancel_at_period_end === 'boolean' ? { cancelAtPeriodEnd: deleted ? false : o.cancel_at_period_end } : {}),
        },
      };
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const parent = objOf(objOf(o.parent).subscription_details);
      const id = idOf(parent.subscription) ?? idOf(o.subscription);
      if (!id) return undefined;
      return { subscriptionId: id, state: { status: event.type === 'invoice.paid' ? 'active' : 'past_due' } };
    }
    case 'subscription_schedule.updated': {
      const id = idOf(o.subscription);
      if (!id) return undefined;
      // The change still to come: the first phase after the current one (Stripe's `current_phase`,
      // else the first) that has not started at the event's time. A phase that has started is the
      // plan now (the renewal's `customer.subscription.updated` carries its price): nothing pending.
      const phases = ((o.phases as unknown[] | undefined) ?? []).map(objOf);
      const currentStart = num(objOf(o.current_phase).start_date);
      const at = Math.floor(event.created.getTime() / 1000);
      const current = currentStart === undefined ? 0 : Math.max(0, phases.findIndex((p) => num(p.start_date) === currentStart));
      const next = phases.slice(current + 1).find((p) => (num(p.start_date) ?? 0) > at);
      if (!next) return { subscriptionId: id, state: { pendingChange: null } };
      const planId = planOf(idOf(objOf((next.items as unknown[] | undefined)?.[0]).price));
      const start = num(next.start_date);
      const scheduleId = idOf(o.id);
      return {
        subscriptionId: id,
        state: planId && start !== undefined && scheduleId ? { pendingChange: { planId, effectiveAt: iso(start)!, scheduleId } } : {},
      };
    }
    case 'subscription_schedule.released':
    case 'subscription_schedule.canceled':
    case 'subscription_schedule.completed': {
      const id = idOf(o.released_subscription) ?? idOf(o.subscription);
      return id ? { subscriptionId: id, state: { pendingChange: null } } : undefined;
    }
  }
  return undefined;
}
