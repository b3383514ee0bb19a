// Stripe's test clocks (`/v1/test_helpers/test_clocks`): a clock holds a frozen time; customers made
// with `test_clock` (or attached with the clock's `customer`) live on it, so their subscriptions,
// schedules and invoices take its time, and so do the events about them. Advancing the clock runs
// what happens between the two times, in time order, for every subscription of its customers
// (billing-cycle.ts: renewals, payment retries, schedule phases, cancellations at the period end).
//   POST   /v1/test_helpers/test_clocks               { frozen_time, name?, customer? }
//   GET    /v1/test_helpers/test_clocks[/:id]          (a deleted one answers `{ id, object, deleted: true }`)
//   DELETE /v1/test_helpers/test_clocks/:id            its customers are deleted and their subscriptions
//                                                      canceled with it (no events for them)
//   POST   /v1/test_helpers/test_clocks/:id/advance   { frozen_time }: later than the clock's, and at most
//          two intervals of its shortest subscription ahead (two years without one), else 400. As Stripe,
//          it answers `advancing` (test_helpers.test_clock.advancing) and does the work right after,
//          then turns `ready` (test_helpers.test_clock.ready): poll the clock or wait for the event.
import type { Router } from '../kit';
import { dueAt, runDue } from './billing-cycle';
import type { Events } from './events';
import type { PostRoute } from './idempotency';
import { addInterval } from './prices';
import { now, type Recurring, type Settings, type StripeState, type Subscription, type TestClock } from './state';
import { fail, find, missingParam, newId, noSuch, ok, str } from './wire';

/** Stripe's API reference shows a clock deleted a week after its creation; the emulator only reports it. */
const DELETES_AFTER_SECONDS = 7 * 86_400;
/** A safety net: more steps than this in one advance is a bug, not a month of billing. */
const MAX_STEPS = 10_000;

export interface Clocks {
  /** Starts advancing `clock` to `target` (status `advancing`, its event); `finish` does the work. */
  start(clock: TestClock, target: number): void;
  /** Runs what happens until the target and turns the clock `ready`. */
  finish(clock: TestClock): void;
  /** The latest time `clock` may be advanced to in one go. */
  limit(clock: TestClock): number;
}

export function createClocks(state: StripeState, events: Events, settings: Pick<Settings, 'paymentRetries'>): Clocks {
  const customersOn = (clock: TestClock) => new Set(state.resources.customers.filter((c) => c.test_clock === clock.id).map((c) => c.id));
  const subscriptionsOn = (clock: TestClock) => {
    const customers = customersOn(clock);
    return state.resources.subscriptions.filter((s) => customers.has(s.customer));
  };
  return {
    start(clock, target) {
      Object.assign(clock, { status: 'advancing', status_details: { advancing: { target_frozen_time: target } } });
      events.emit('test_helpers.test_clock.advancing', { ...clock });
    },
    finish(clock) {
      // Reset or deleted meanwhile: nothing left to advance.
      if (!state.resources.testClocks.includes(clock) || clock.deleted || clock.status !== 'advancing') return;
      const target = clock.status_details.advancing!.target_frozen_time;
      for (let steps = 0; ; steps++) {
        if (steps >= MAX_STEPS) {
          Object.assign(clock, { status: 'internal_failure', status_details: {} });
          events.emit('test_helpers.test_clock.internal_failure', { ...clock });
          return;
        }
        // The earliest thing due over all the clock's subscriptions (the oldest subscription first on a tie).
        let next: { at: number; sub: Subscription } | undefined;
        for (const sub of subscriptionsOn(clock)) {
          const at = dueAt(state, sub);
          if (at !== undefined && at <= target && (!next || at < next.at)) next = { at, sub };
        }
        if (!next) break;
        // The clock stands at each moment while it runs, so what happens then takes that time.
        clock.frozen_time = Math.max(clock.frozen_time, next.at);
        runDue(state, events, settings, next.sub, clock.frozen_time);
      }
      Object.assign(clock, { frozen_time: target, status: 'ready', status_details: {} });
      events.emit('test_helpers.test_clock.ready', { ...clock });
    },
    limit(clock) {
      const intervals = subscriptionsOn(clock)
        .filter((s) => s.status !== 'canceled')
        .flatMap((s) => s.items.data.map((i) => i.price.recurring));
      const twice = (r: Recurring) => addInterval(addInterval(clock.frozen_time, r), r);
      return intervals.length > 0 ? Math.min(...intervals.map(twice)) : twice({ interval: 'year', interval_count: 1 });
    },
  };
}

export function clockRoutes(state: StripeState, routes: Router, post: PostRoute, events: Events, clocks: Clocks): void {
  const live = (id: string | undefined) => {
    const clock = find(state.resources.testClocks, id);
    return clock && !clock.deleted ? clock : undefined;
  };

  post('/v1/test_helpers/test_clocks', (_ctx, form) => {
    const frozen = integer(form.frozen_time);
    if (frozen === undefined) return form.frozen_time === undefined ? missingParam('frozen_time') : invalidInteger('frozen_time', form.frozen_time);
    const customerId = str(form.customer);
    const customer = customerId === undefined ? undefined : find(state.resources.customers, customerId);
    if (customerId !== undefined && (!customer || customer.deleted)) return noSuch('customer', customerId, 'customer', 400);
    if (customer?.test_clock) return fail(400, { param: 'customer', message: `The customer ${customer.id} is already attached to a test clock (${customer.test_clock}).` });
    const t = now(state);
    const clock: TestClock = {
      id: newId('clock_'),
      object: 'test_helpers.test_clock',
      created: t,
      deletes_after: t + DELETES_AFTER_SECONDS,
      frozen_time: frozen,
      name: str(form.name) || null,
      status: 'ready',
      status_details: {},
      livemode: false,
    };
    state.resources.testClocks.push(clock);
    // Attached for good: its objects take the clock's time from now on.
    if (customer) customer.test_clock = clock.id;
    events.emit('test_helpers.test_clock.created', { ...clock });
    return ok(clock);
  });

  routes.get('/v1/test_helpers/test_clocks', ({ url }) => {
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, { param: 'limit', message: 'limit must be an integer from 1 to 100.' });
    // Newest first, after `starting_after` when given.
    let all = state.resources.testClocks.filter((c) => !c.deleted).reverse();
    const after = url.searchParams.get('starting_after');
    if (after) all = all.slice(all.findIndex((c) => c.id === after) + 1);
    return ok({ object: 'list', url: '/v1/test_helpers/test_clocks', has_more: all.length > limit, data: all.slice(0, limit) });
  });

  routes.get('/v1/test_helpers/test_clocks/:id', ({ params }) => {
    const clock = find(state.resources.testClocks, params.id);
    if (clock?.deleted) return ok({ id: clock.id, object: clock.object, deleted: true });
    return clock ? ok(clock) : noSuch('test clock', params.id!, 'test_clock');
  });

  routes.delete('/v1/test_helpers/test_clocks/:id', ({ params }) => {
    const clock = live(params.id);
    if (!clock) return noSuch('test clock', params.id!, 'test_clock');
    const customers = new Set<string>();
    for (const c of state.resources.customers.filter((x) => x.test_clock === clock.id)) {
      c.deleted = true;
      customers.add(c.id);
    }
    for (const s of state.resources.subscriptions.filter((x) => customers.has(x.customer) && x.status !== 'canceled')) {
      Object.assign(s, { status: 'canceled', canceled_at: clock.frozen_time, ended_at: clock.frozen_time });
    }
    clock.deleted = true;
    const { deleted: _deleted, ...last } = clock;
    events.emit('test_helpers.test_clock.deleted', last);
    return ok({ id: clock.id, object: clock.object, deleted: true });
  });

  post('/v1/test_helpers/test_clocks/:id/advance', ({ params }, form) => {
    const clock = live(params.id);
    if (!clock) return noSuch('test clock', params.id!, 'test_clock');
    const target = integer(form.frozen_time);
    if (target === undefined) return form.frozen_time === undefined ? missingParam('frozen_time') : invalidInteger('frozen_time', form.frozen_time);
    const refused = refusal(clocks, clock, target);
    if (refused) return fail(400, refused);
    clocks.start(clock, target);
    const answer = ok(clock);
    // As Stripe: the answer says `advancing`; the work runs right after it.
    setImmediate(() => clocks.finish(clock));
    return answer;
  });
}

/** Why `clock` cannot be advanced to `target` (Stripe's rules), for the 400 to answer; undefined when it can. */
export function refusal(clocks: Clocks, clock: TestClock, target: number): { param?: string; message: string } | undefined {
  if (clock.status !== 'ready') {
    return { message: `The test clock ${clock.id} is ${clock.status === 'advancing' ? 'already advancing' : 'in internal_failure'}; it can be advanced once it is ready.` };
  }
  if (target <= clock.frozen_time) {
    return { param: 'frozen_time', message: `The test clock's frozen_time can only move forward: ${target} is not after its current frozen_time ${clock.frozen_time}.` };
  }
  const limit = clocks.limit(clock);
  if (target > limit) {
    return {
      param: 'frozen_time',
      message: `A test clock advances at most two intervals of its shortest subscription (two years without one) at a time: ${target} is after ${limit}.`,
    };
  }
  return undefined;
}

function integer(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
const invalidInteger = (param: string, v: unknown) => fail(400, { param, message: `Invalid integer: ${typeof v === 'string' ? v : JSON.stringify(v)}` });
