// What happens to a subscription when time passes on its customer's test clock (clocks.ts advances
// the clock and runs these, in time order). At a moment `t` that something is due for a subscription,
// in this order:
//   1. `cancel_at_period_end` and the period ends: it is canceled (customer.subscription.deleted), no renewal.
//   2. its schedule's current phase ends: the next phase's items go to the subscription
//      (subscription_schedule.updated); after the last phase the schedule ends as its `end_behavior`
//      says: `release` (and `none`, `renew`) releases it, status `released` (subscription_schedule.released,
//      the subscription runs on without it, as POST .../release leaves it); `cancel` cancels the
//      subscription (customer.subscription.deleted) and completes the schedule (`completed`,
//      subscription_schedule.completed).
//   3. the period ends (active or past_due): the renewal. A `subscription_cycle` invoice for the
//      items' prices and the pending prorations (invoice.created, a draft), the period moved by one
//      interval (customer.subscription.updated, carrying a phase's price change of step 2 too), the
//      invoice finalized at once (invoice.finalized; Stripe waits about an hour) and charged.
//   4. a failed invoice's retry is due (`next_payment_attempt`): charged again.
// A charge goes to the subscription's card, else the customer's default (payment-methods.ts):
// invoice.paid and invoice.payment_succeeded (and a past_due or unpaid subscription with nothing left
// open turns active, customer.subscription.updated), or invoice.payment_failed with the next retry in
// `next_payment_attempt` and the subscription past_due (customer.subscription.updated). Retries follow
// Stripe's custom retry schedule (settings `paymentRetries`: 3, 5 and 7 days after each failure); after
// the last one fails the subscription is canceled (customer.subscription.deleted, a live schedule
// aborted: subscription_schedule.aborted), marked unpaid, or left past_due.
import type { Events } from './events';
import { newConfirmationSecret, newInvoice, payInvoice, renewalLines } from './invoices';
import { cardFor, chargeSucceeds } from './payment-methods';
import { addInterval } from './prices';
import { invoiceSnapshot, scheduleSnapshot, subSnapshot } from './render';
import { applyPhase, isLive } from './schedules';
import type { Invoice, Settings, StripeState, Subscription, SubscriptionSchedule } from './state';
import { find } from './wire';

const DAY = 86_400;

/** The statuses whose periods renew. */
const RENEWING = new Set<Subscription['status']>(['active', 'past_due']);

const periodEnd = (sub: Subscription) => sub.items.data[0]?.current_period_end;
const liveSchedule = (state: StripeState, sub: Subscription) => {
  const schedule = find(state.resources.subscriptionSchedules, sub.schedule ?? undefined);
  return schedule && isLive(schedule) ? schedule : undefined;
};
/** The subscription's open invoices whose next payment attempt is set. */
const retrying = (state: StripeState, sub: Subscription) =>
  state.resources.invoices.filter(
    (i): i is Invoice & { next_payment_attempt: number } =>
      i.status === 'open' && i.next_payment_attempt !== null && i.parent.subscription_details.subscription === sub.id,
  );

/** The earliest time something is due for `sub` (see the file header), or undefined. */
export function dueAt(state: StripeState, sub: Subscription): number | undefined {
  if (sub.status === 'canceled' || sub.status === 'incomplete') return undefined;
  const times: number[] = [];
  const end = periodEnd(sub);
  if (end !== undefined && (RENEWING.has(sub.status) || sub.cancel_at_period_end)) times.push(end);
  const phaseEnd = liveSchedule(state, sub)?.current_phase?.end_date;
  if (phaseEnd !== undefined) times.push(phaseEnd);
  if (sub.status !== 'unpaid') times.push(...retrying(state, sub).map((i) => i.next_payment_attempt));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Runs what is due for `sub` at `t` (its customer's clock already stands at `t`). Afterwards nothing
 * is due for it at `t` any more: each step moves its time on or ends the subscription.
 */
export function runDue(state: StripeState, events: Events, settings: Pick<Settings, 'paymentRetries'>, sub: Subscription, t: number): void {
  const before = subSnapshot(state, sub);
  const end = periodEnd(sub);
  if (sub.cancel_at_period_end && end !== undefined && end <= t) {
    endSubscription(state, events, sub, t, 'subscription_schedule.canceled');
    return;
  }
  const schedule = liveSchedule(state, sub);
  if (schedule?.current_phase && schedule.current_phase.end_date <= t) {
    if (endPhase(state, events, schedule, sub, t) === 'completed') return;
  }
  if (end !== undefined && end <= t && RENEWING.has(sub.status)) renew(state, events, settings, sub, t, before);
  else events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
  if (sub.status === 'unpaid') return;
  for (const invoice of retrying(state, sub).filter((i) => i.next_payment_attempt <= t)) {
    if (sub.status === 'canceled') break;
    charge(state, events, settings, sub, invoice, t);
  }
}

/** The end of the schedule's current phase: the next phase, or the end of the schedule (file header, step 2). */
function endPhase(state: StripeState, events: Events, schedule: SubscriptionSchedule, sub: Subscription, t: number): 'next' | 'released' | 'completed' {
  const before = scheduleSnapshot(schedule);
  const at = schedule.phases.findIndex((p) => p.start_date === schedule.current_phase!.start_date);
  const next = schedule.phases[at + 1];
  if (next) {
    schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
    applyPhase(state, sub, next);
    events.emitUpdate('subscription_schedule.updated', before, scheduleSnapshot(schedule));
    return 'next';
  }
  if (schedule.end_behavior === 'cancel') {
    Object.assign(schedule, { status: 'completed', completed_at: t, current_phase: null });
    endSubscription(state, events, sub, t, undefined);
    events.emit('subscription_schedule.completed', scheduleSnapshot(schedule));
    return 'completed';
  }
  sub.schedule = null;
  Object.assign(schedule, { status: 'released', released_at: t, released_subscription: sub.id, subscription: null, current_phase: null });
  events.emit('subscription_schedule.released', scheduleSnapshot(schedule));
  return 'released';
}

/** The renewal at the period end (file header, step 3); `before` is the subscription before this moment. */
function renew(state: StripeState, events: Events, settings: Pick<Settings, 'paymentRetries'>, sub: Subscription, t: number, before: Record<string, unknown>) {
  const { amount, pending } = renewalLines(state, sub);
  // For the period that ended (a subscription invoice looks back one period); a draft until finalized.
  const invoice = newInvoice(state, sub, amount, 'subscription_cycle', true);
  Object.assign(invoice, { status: 'draft', confirmation_secret: null });
  for (const line of pending) line.invoice = invoice.id;
  sub.latest_invoice = invoice.id;
  events.emit('invoice.created', invoiceSnapshot(invoice));
  const start = periodEnd(sub)!;
  sub.items = {
    ...sub.items,
    data: sub.items.data.map((i) => ({ ...i, current_period_start: start, current_period_end: addInterval(start, i.price.recurring) })),
  };
  events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
  Object.assign(invoice, { status: 'open', confirmation_secret: newConfirmationSecret() });
  events.emit('invoice.finalized', invoiceSnapshot(invoice));
  charge(state, events, settings, sub, invoice, t);
}

/** A payment attempt on an open invoice of `sub`, at `t` (file header). */
function charge(state: StripeState, events: Events, settings: Pick<Settings, 'paymentRetries'>, sub: Subscription, invoice: Invoice, t: number) {
  if (invoice.amount_due === 0 || chargeSucceeds(cardFor(state, sub))) {
    payInvoice(state, events, invoice, { charged: true });
    return;
  }
  const before = subSnapshot(state, sub);
  const { afterDays, whenExhausted } = settings.paymentRetries;
  const wait = afterDays[invoice.attempt_count];
  Object.assign(invoice, { attempted: true, attempt_count: invoice.attempt_count + 1, next_payment_attempt: wait === undefined ? null : t + wait * DAY });
  events.emit('invoice.payment_failed', invoiceSnapshot(invoice));
  if (wait === undefined && whenExhausted === 'cancel') {
    endSubscription(state, events, sub, t, 'subscription_schedule.aborted');
    return;
  }
  if (wait === undefined && whenExhausted === 'unpaid') sub.status = 'unpaid';
  else if (sub.status === 'active') sub.status = 'past_due';
  events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
}

/**
 * Cancels `sub` at `t` (customer.subscription.deleted); a schedule still driving it ends with it
 * (`scheduleEvent`: canceled at a period end, aborted for unpaid invoices).
 */
function endSubscription(state: StripeState, events: Events, sub: Subscription, t: number, scheduleEvent: string | undefined) {
  // A `cancel_at_period_end` keeps the time it was asked for in `canceled_at`.
  Object.assign(sub, { status: 'canceled', canceled_at: sub.canceled_at ?? t, ended_at: t });
  events.emit('customer.subscription.deleted', subSnapshot(state, sub));
  const schedule = liveSchedule(state, sub);
  if (schedule && scheduleEvent) {
    Object.assign(schedule, { status: 'canceled', canceled_at: t, current_phase: null });
    events.emit(scheduleEvent, scheduleSnapshot(schedule));
  }
}
