// Stripe subscription schedules, as far as the emulator takes them: create one `from_subscription`
// (its first phase the subscription's current period and items), retrieve it, update its phases (a
// change to the current phase applies to the subscription at once), end behaviour and metadata, and
// release it (the subscription stays, without the schedule). Only a live schedule (`not_started`,
// `active`) can change. Each change records its events. A test clock moves a schedule from phase to
// phase and ends it (billing-cycle.ts).
import type { Router } from '../kit';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { PRICES, PRORATION, addInterval } from './prices';
import { scheduleSnapshot, subSnapshot } from './render';
import {
  nowFor,
  type Recurring,
  type SchedulePhase,
  type StripeState,
  type Subscription,
  type SubscriptionItem,
  type SubscriptionSchedule,
} from './state';
import {
  fail,
  find,
  invalidValue,
  list,
  mergeMetadata,
  missingParam,
  newId,
  noSuch,
  obj,
  ok,
  quantityOf,
  str,
  strings,
  timestamp,
  type Form,
} from './wire';

const END_BEHAVIOR = ['release', 'cancel', 'none', 'renew'];
const INTERVALS = ['day', 'week', 'month', 'year'];

export function scheduleRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events): void {
  post('/v1/subscription_schedules', (_ctx, form) => {
    const subId = str(form.from_subscription);
    if (!subId) return fail(400, { param: 'from_subscription', message: 'The emulator creates schedules only from_subscription.' });
    if (form.phases !== undefined) return fail(400, { param: 'phases', message: 'You cannot set `phases` if `from_subscription` is set.' });
    const sub = find(state.resources.subscriptions, subId);
    if (!sub) return noSuch('subscription', subId, 'from_subscription', 400);
    if (sub.status === 'canceled') return fail(400, { param: 'from_subscription', message: 'You cannot migrate a canceled subscription to a subscription schedule.' });
    if (sub.schedule) {
      return fail(400, { param: 'from_subscription', message: `You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.` });
    }
    const first = sub.items.data[0]!;
    const phase: SchedulePhase = {
      start_date: first.current_period_start,
      end_date: first.current_period_end,
      items: sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity, metadata: {} })),
      proration_behavior: 'create_prorations',
      metadata: {},
    };
    const schedule: SubscriptionSchedule = {
      id: newId('sub_sched_'),
      object: 'subscription_schedule',
      created: nowFor(state, sub.customer),
      customer: sub.customer,
      subscription: sub.id,
      status: 'active',
      end_behavior: 'release',
      phases: [phase],
      current_phase: { start_date: phase.start_date, end_date: phase.end_date },
      released_at: null,
      released_subscription: null,
      canceled_at: null,
      completed_at: null,
      metadata: strings(form.metadata),
      test_clock: sub.test_clock,
      livemode: false,
    };
    state.resources.subscriptionSchedules.push(schedule);
    const before = subSnapshot(state, sub);
    sub.schedule = schedule.id;
    events.emit('subscription_schedule.created', scheduleSnapshot(schedule));
    events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
    return ok(schedule);
  });

  routes.get('/v1/subscription_schedules/:id', ({ params }) => {
    const schedule = find(state.resources.subscriptionSchedules, params.id);
    return schedule ? ok(schedule) : noSuch('subscription_schedule', params.id!);
  });

  post('/v1/subscription_schedules/:id', ({ params }, form) => {
    const schedule = find(state.resources.subscriptionSchedules, params.id);
    if (!schedule) return noSuch('subscription_schedule', params.id!);
    if (!isLive(schedule)) return notLive(schedule);
    const endBehavior = str(form.end_behavior);
    if (endBehavior !== undefined && !END_BEHAVIOR.includes(endBehavior)) return invalidValue('end_behavior', endBehavior, END_BEHAVIOR);
    const sub = find(state.resources.subscriptions, schedule.subscription ?? undefined);
    const before = { schedule: scheduleSnapshot(schedule), sub: sub && subSnapshot(state, sub) };
    if (form.phases !== undefined) {
      const phases = parsePhases(state, list(form.phases).map(obj), schedule);
      if (phases instanceof Response) return phases;
      schedule.phases = phases;
      const t = nowFor(state, schedule.customer);
      const current = phases.find((p) => p.start_date <= t && t < p.end_date);
      schedule.current_phase = current ? { start_date: current.start_date, end_date: current.end_date } : null;
      // The current phase is what the subscription bills now: Stripe applies a change to it at once.
      if (sub && current) applyPhase(state, sub, current);
    }
    if (endBehavior) schedule.end_behavior = endBehavior;
    schedule.metadata = mergeMetadata(schedule.metadata, form.metadata);
    events.emitUpdate('subscription_schedule.updated', before.schedule, scheduleSnapshot(schedule));
    if (sub && before.sub) events.emitUpdate('customer.subscription.updated', before.sub, subSnapshot(state, sub));
    return ok(schedule);
  });

  post('/v1/subscription_schedules/:id/release', ({ params }) => {
    const schedule = find(state.resources.subscriptionSchedules, params.id);
    if (!schedule) return noSuch('subscription_schedule', params.id!);
    if (!isLive(schedule)) return notLive(schedule);
    const sub = find(state.resources.subscriptions, schedule.subscription ?? undefined);
    const before = sub && subSnapshot(state, sub);
    if (sub) sub.schedule = null;
    Object.assign(schedule, {
      status: 'released',
      released_at: nowFor(state, schedule.customer),
      released_subscription: schedule.subscription,
      subscription: null,
      current_phase: null,
    });
    events.emit('subscription_schedule.released', scheduleSnapshot(schedule));
    if (sub && before) events.emitUpdate('customer.subscription.updated', before, subSnapshot(state, sub));
    return ok(schedule);
  });
}

/** Whether the schedule can still change (and still drives its subscription). */
export const isLive = (s: SubscriptionSchedule) => s.status === 'active' || s.status === 'not_started';
const notLive = (s: SubscriptionSchedule) =>
  fail(400, {
    message: `You cannot update a subscription schedule that is currently in the \`${s.status}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`,
  });

/** The phases of `phases[n]`, each starting where the one before ends, or the error Stripe would answer. */
function parsePhases(state: StripeState, specs: Form[], schedule: SubscriptionSchedule): SchedulePhase[] | Response {
  if (specs.length === 0) return missingParam('phases');
  const now = () => nowFor(state, schedule.customer);
  const phases: SchedulePhase[] = [];
  for (const [n, spec] of specs.entries()) {
    const param = `phases[${n}]`;
    const items: SchedulePhase['items'] = [];
    for (const [m, item] of list(spec.items).map(obj).entries()) {
      const priceId = str(item.price);
      if (!priceId) return missingParam(`${param}[items][${m}][price]`);
      const price = find(PRICES, priceId);
      if (!price) return noSuch('price', priceId, `${param}[items][${m}][price]`, 400);
      const quantity = quantityOf(item.quantity, `${param}[items][${m}][quantity]`);
      if (quantity instanceof Response) return quantity;
      items.push({ price: price.id, quantity, metadata: strings(item.metadata) });
    }
    if (items.length === 0) return missingParam(`${param}[items]`);
    const givenStart = timestamp(spec.start_date, now);
    const givenEnd = timestamp(spec.end_date, now);
    const prev = phases[n - 1];
    if (n === 0 && schedule.current_phase && givenStart !== undefined && givenStart !== schedule.current_phase.start_date) {
      return fail(400, { param: `${param}[start_date]`, message: 'You can not modify the start date of the current phase.' });
    }
    if (prev && givenStart !== undefined && givenStart !== prev.end_date) {
      return fail(400, { param: `${param}[start_date]`, message: 'The start_date of a phase must equal the end_date of the phase before it.' });
    }
    const start = prev?.end_date ?? givenStart ?? schedule.current_phase?.start_date ?? now();
    const duration = obj(spec.duration);
    let end = givenEnd;
    if (end === undefined && spec.duration !== undefined) {
      const interval = str(duration.interval) ?? '';
      if (!INTERVALS.includes(interval)) return invalidValue(`${param}[duration][interval]`, interval, INTERVALS);
      const count = quantityOf(duration.interval_count, `${param}[duration][interval_count]`);
      if (count instanceof Response) return count;
      end = addInterval(start, { interval: interval as Recurring['interval'], interval_count: count });
    }
    // No end given: one billing interval of the phase's first price (Stripe's default).
    end ??= addInterval(start, find(PRICES, items[0]!.price)!.recurring);
    if (end <= start) return fail(400, { param: `${param}[end_date]`, message: 'The end_date of a phase must be after its start_date.' });
    const proration = str(spec.proration_behavior) ?? 'create_prorations';
    if (!PRORATION.includes(proration)) return invalidValue(`${param}[proration_behavior]`, proration, PRORATION);
    phases.push({ start_date: start, end_date: end, items, proration_behavior: proration, metadata: strings(spec.metadata) });
  }
  return phases;
}

/** Gives the subscription the phase's items (prices and quantities), keeping the ids of the ones it has. */
export function applyPhase(state: StripeState, sub: Subscription, phase: SchedulePhase) {
  const first = sub.items.data[0];
  const data = phase.items.map((p, n): SubscriptionItem => {
    const existing = sub.items.data[n];
    const price = find(PRICES, p.price)!;
    return existing
      ? { ...existing, price, quantity: p.quantity }
      : { ...first!, id: newId('si_'), created: nowFor(state, sub.customer), price, quantity: p.quantity, metadata: {} };
  });
  sub.items = { ...sub.items, data, total_count: data.length };
}
