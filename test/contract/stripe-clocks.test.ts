// The Stripe emulator's test clocks through the official SDK, with a local receiver for the webhook
// deliveries: a clock and its customers' objects at its frozen time, advancing it runs what happens
// meanwhile in order (renewals charged to the customer's test card, a schedule's downgrade phase and
// its end, a failing card's retries and recovery, cancellation at the period end), every event signed
// and delivered in the order recorded, with `created` on the clock; and the advances Stripe refuses.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startHub } from '../../lib/local/emulators/hub';
import { startEmulator } from '../../lib/local/emulators/kit';
import { createStripeEmulator, type StripeEmulatorState, type StripeEvent } from '../../lib/local/emulators/stripe';
import { seedDemoBillingClock } from '../../lib/local/seed-billing';
import { stripeBilling } from '../../shared/providers/stripe/adapter';
import { useEmulator } from '../support/emulator';
import { waitFor } from '../support/stack';
import { useStripeReceiver } from '../support/stripe-receiver';

const SECRET = 'whsec_local';
const emulator = createStripeEmulator();
const emu = useEmulator(emulator);
const sdk = (port = emu.running.port) => new Stripe('sk_test_local', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
const state = () => emu.inspect<StripeEmulatorState>();

/** Unix seconds of a UTC day. */
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;
const T0 = day(2027, 1, 1);
const DAY = 86_400;

// The receiver: every delivery of this test's path, checked as the webhook route checks it.
const receiver = useStripeReceiver(emulator);
/** This test's deliveries as events, each signature checked (300 s tolerance). */
const received = () =>
  receiver.mine().map((r) => sdk().webhooks.constructEvent(r.payload, r.header, SECRET) as unknown as StripeEvent);
/** Waits until every recorded event was delivered; the deliveries, in the order they arrived. */
async function delivered(): Promise<StripeEvent[]> {
  const recorded = (await state()).events;
  await waitFor(`${recorded.length} deliveries`, async () => received().length >= recorded.length);
  const got = received();
  // Each once, in the order recorded.
  expect(got.map((e) => e.id)).toEqual(recorded.map((e) => e.id));
  return got;
}
/** The events from the clock's `advancing` (of the last advance) on. */
const lastAdvance = (events: StripeEvent[]) => events.slice(events.map((e) => e.type).lastIndexOf('test_helpers.test_clock.advancing'));
const types = (events: StripeEvent[]) => events.map((e) => e.type);
const obj = <T>(e: StripeEvent) => e.data.object as unknown as T;

// --- the scenario's pieces -------------------------------------------------------------------------
async function clockWithCustomer(card = 'pm_card_visa', frozen = T0) {
  const clock = await sdk().testHelpers.testClocks.create({ frozen_time: frozen, name: 'Renewals' });
  const customer = await sdk().customers.create({
    email: 'ada@example.com',
    metadata: { userId: 'u-1' },
    test_clock: clock.id,
    payment_method: card,
    invoice_settings: { default_payment_method: card },
  });
  return { clock, customer };
}
/** A subscription as the adapter makes it, its first invoice paid as the portal's confirmation does. */
async function subscribe(customerId: string, price = 'price_business') {
  const sub = await sdk().subscriptions.create({
    customer: customerId,
    items: [{ price }],
    payment_behavior: 'default_incomplete',
    payment_settings: { save_default_payment_method: 'on_subscription' },
    expand: ['latest_invoice'],
  });
  await sdk().invoices.pay((sub.latest_invoice as Stripe.Invoice).id!, { paid_out_of_band: true });
  return sub;
}
/** Advances the clock as a test would against Stripe: the answer says advancing, then poll until ready. */
async function advance(clockId: string, to: number) {
  const answer = await sdk().testHelpers.testClocks.advance(clockId, { frozen_time: to });
  expect(answer).toMatchObject({ id: clockId, status: 'advancing', status_details: { advancing: { target_frozen_time: to } } });
  return waitFor('the clock ready', async () => {
    const clock = await sdk().testHelpers.testClocks.retrieve(clockId);
    return clock.status === 'ready' && clock;
  });
}
const subscription = (id: string) => sdk().subscriptions.retrieve(id);
const period = (s: Stripe.Subscription) => [s.items.data[0]!.current_period_start, s.items.data[0]!.current_period_end];
const RENEWAL = ['invoice.created', 'customer.subscription.updated', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded'];

describe('stripe emulator: test clocks', () => {
  it('creates, retrieves, lists and deletes clocks as Stripe shapes them; a customer on one takes its time', async () => {
    const stripe = sdk();
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'Demo' });
    expect(clock).toEqual({
      id: expect.stringMatching(/^clock_\w{24}$/),
      object: 'test_helpers.test_clock',
      created: expect.any(Number),
      deletes_after: clock.created + 7 * DAY,
      frozen_time: T0,
      name: 'Demo',
      status: 'ready',
      status_details: {},
      livemode: false,
    });
    const other = await stripe.testHelpers.testClocks.create({ frozen_time: T0 - DAY });
    expect(other.name).toBeNull();
    expect(await stripe.testHelpers.testClocks.retrieve(clock.id)).toEqual(clock);
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([other.id, clock.id]);

    const customer = await stripe.customers.create({ email: 'ada@example.com', test_clock: clock.id });
    expect(customer).toMatchObject({ test_clock: clock.id, created: T0 });
    const plain = await stripe.customers.create({ email: 'bob@example.com' });
    expect(plain.test_clock).toBeNull();
    expect(plain.created).toBeGreaterThan(T0 - 365 * DAY);
    // An existing customer attached when the clock is made (the `customer` parameter).
    const third = await stripe.testHelpers.testClocks.create({ frozen_time: T0, customer: plain.id });
    expect((await stripe.customers.retrieve(plain.id)) as Stripe.Customer).toMatchObject({ test_clock: third.id });
    await expect(stripe.testHelpers.testClocks.create({ frozen_time: T0, customer: plain.id })).rejects.toMatchObject({ statusCode: 400, param: 'customer' });
    await expect(stripe.customers.create({ test_clock: 'clock_nope' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'test_clock' });

    expect(await stripe.testHelpers.testClocks.del(clock.id)).toEqual({ id: clock.id, object: 'test_helpers.test_clock', deleted: true });
    expect(await stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ id: clock.id, deleted: true });
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([third.id, other.id]);
    // Its customers go with it.
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    await expect(stripe.testHelpers.testClocks.del(clock.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await expect(stripe.testHelpers.testClocks.retrieve('clock_nope')).rejects.toMatchObject({ statusCode: 404, message: "No such test clock: 'clock_nope'" });
    const got = await delivered();
    expect(types(got).filter((t) => t.startsWith('test_helpers.'))).toEqual([
      'test_helpers.test_clock.created',
      'test_helpers.test_clock.created',
      'test_helpers.test_clock.created',
      'test_helpers.test_clock.deleted',
    ]);
  });

  it("a subscription on a clock takes the clock's time, and two period ends crossed are two renewals, each charged and a month on", async () => {
    const { clock, customer } = await clockWithCustomer();
    const sub = await subscribe(customer.id);
    expect(sub).toMatchObject({ created: T0, start_date: T0, billing_cycle_anchor: T0, test_clock: clock.id });
    expect(period(sub)).toEqual([T0, day(2027, 2, 1)]);
    expect((sub.latest_invoice as Stripe.Invoice).created).toBe(T0);

    const ready = await advance(clock.id, day(2027, 3, 1));
    expect(ready).toMatchObject({ frozen_time: day(2027, 3, 1), status: 'ready', status_details: {} });
    const after = await subscription(sub.id);
    expect(after.status).toBe('active');
    expect(period(after)).toEqual([day(2027, 3, 1), day(2027, 4, 1)]);

    const got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', ...RENEWAL, ...RENEWAL, 'test_helpers.test_clock.ready']);
    // Each event at the clock's time of what it is about: the advancing at the start, each renewal at its period end.
    expect(got.map((e) => e.created)).toEqual([T0, ...RENEWAL.map(() => day(2027, 2, 1)), ...RENEWAL.map(() => day(2027, 3, 1)), day(2027, 3, 1)]);
    const [first, second] = [got.slice(1, 6), got.slice(6, 11)];
    for (const [renewal, [start, end], [next, nextEnd]] of [
      [first!, [T0, day(2027, 2, 1)], [day(2027, 2, 1), day(2027, 3, 1)]],
      [second!, [day(2027, 2, 1), day(2027, 3, 1)], [day(2027, 3, 1), day(2027, 4, 1)]],
    ] as const) {
      const invoice = obj<Stripe.Invoice>(renewal[0]!);
      // A subscription invoice looks back one period.
      expect(invoice).toMatchObject({ status: 'draft', billing_reason: 'subscription_cycle', amount_due: 7900, created: start === T0 ? day(2027, 2, 1) : day(2027, 3, 1), period_start: start, period_end: end, customer: customer.id, test_clock: clock.id });
      const updated = renewal[1]!.data;
      expect(period(updated.object as unknown as Stripe.Subscription)).toEqual([next, nextEnd]);
      expect(period(updated.previous_attributes as unknown as Stripe.Subscription)).toEqual([start, end]);
      expect(updated.object).toMatchObject({ status: 'active', latest_invoice: invoice.id });
      expect(obj<Stripe.Invoice>(renewal[2]!)).toMatchObject({ id: invoice.id, status: 'open' });
      for (const paid of renewal.slice(3)) expect(obj<Stripe.Invoice>(paid)).toMatchObject({ id: invoice.id, status: 'paid', amount_paid: 7900, attempt_count: 1, next_payment_attempt: null });
    }
    const invoices = (await state()).invoices.filter((i) => i.billing_reason === 'subscription_cycle');
    expect(invoices.map((i) => [i.status, i.created])).toEqual([
      ['paid', day(2027, 2, 1)],
      ['paid', day(2027, 3, 1)],
    ]);
  });

  it('a scheduled downgrade: at the period end the price changes, at the end of its last phase the schedule is released and the subscription runs on', async () => {
    const { clock, customer } = await clockWithCustomer();
    const sub = await subscribe(customer.id, 'price_premium');
    // What the adapter's schedulePlanChange does.
    const schedule = await sdk().subscriptionSchedules.create({ from_subscription: sub.id });
    await sdk().subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: 'price_premium' }], start_date: T0, end_date: day(2027, 2, 1) },
        { items: [{ price: 'price_starter' }] },
      ],
      end_behavior: 'release',
    });

    await advance(clock.id, day(2027, 2, 1));
    let got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', 'subscription_schedule.updated', ...RENEWAL, 'test_helpers.test_clock.ready']);
    expect(got[1]!.data).toMatchObject({
      object: { id: schedule.id, status: 'active', current_phase: { start_date: day(2027, 2, 1), end_date: day(2027, 3, 1) } },
      previous_attributes: { current_phase: { start_date: T0, end_date: day(2027, 2, 1) } },
    });
    // The renewal bills the new price; the subscription update carries the price change and the new period.
    expect(obj<Stripe.Invoice>(got[2]!)).toMatchObject({ amount_due: 2900, billing_reason: 'subscription_cycle' });
    const changed = got[3]!.data;
    expect((changed.object as unknown as Stripe.Subscription).items.data[0]!.price.id).toBe('price_starter');
    expect((changed.previous_attributes as unknown as Stripe.Subscription).items.data[0]!.price.id).toBe('price_premium');
    expect(changed.object).toMatchObject({ schedule: schedule.id, status: 'active' });

    await advance(clock.id, day(2027, 3, 1));
    got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', 'subscription_schedule.released', ...RENEWAL, 'test_helpers.test_clock.ready']);
    expect(got[1]!).toMatchObject({
      created: day(2027, 3, 1),
      data: { object: { id: schedule.id, status: 'released', released_at: day(2027, 3, 1), released_subscription: sub.id, subscription: null, current_phase: null, completed_at: null } },
    });
    expect(got[3]!.data).toMatchObject({ object: { schedule: null }, previous_attributes: { schedule: schedule.id } });
    const after = await subscription(sub.id);
    expect(after).toMatchObject({ status: 'active', schedule: null });
    expect(after.items.data[0]!.price.id).toBe('price_starter');
    expect(period(after)).toEqual([day(2027, 3, 1), day(2027, 4, 1)]);
    expect(await sdk().subscriptionSchedules.retrieve(schedule.id)).toMatchObject({ status: 'released' });
  });

  it('a schedule ending with end_behavior cancel completes and cancels its subscription instead of renewing it', async () => {
    const { clock, customer } = await clockWithCustomer();
    const sub = await subscribe(customer.id);
    const schedule = await sdk().subscriptionSchedules.create({ from_subscription: sub.id });
    await sdk().subscriptionSchedules.update(schedule.id, { end_behavior: 'cancel' });
    await advance(clock.id, day(2027, 2, 1));
    const got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', 'customer.subscription.deleted', 'subscription_schedule.completed', 'test_helpers.test_clock.ready']);
    expect(got[1]!.data.object).toMatchObject({ id: sub.id, status: 'canceled', ended_at: day(2027, 2, 1) });
    expect(got[2]!.data.object).toMatchObject({ id: schedule.id, status: 'completed', completed_at: day(2027, 2, 1), released_at: null });
    expect((await state()).invoices.filter((i) => i.billing_reason === 'subscription_cycle')).toEqual([]);
  });

  it('a failing card: the renewal fails, the subscription is past_due with a retry in 3 days; once the card is fixed the retry pays it', async () => {
    const { clock, customer } = await clockWithCustomer('pm_card_chargeCustomerFail');
    const sub = await subscribe(customer.id);
    await advance(clock.id, day(2027, 2, 1));
    let got = lastAdvance(await delivered());
    expect(types(got)).toEqual([
      'test_helpers.test_clock.advancing',
      'invoice.created',
      'customer.subscription.updated',
      'invoice.finalized',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'test_helpers.test_clock.ready',
    ]);
    const invoice = obj<Stripe.Invoice>(got[4]!);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, amount_paid: 0, next_payment_attempt: day(2027, 2, 4) });
    expect(got[5]!.data).toMatchObject({ object: { id: sub.id, status: 'past_due', latest_invoice: invoice.id }, previous_attributes: { status: 'active' } });

    // The card is fixed: a working card attached and made the customer's default.
    const card = await sdk().paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(card).toMatchObject({ id: expect.stringMatching(/^pm_\w{24}$/), customer: customer.id, card: { last4: '4242' } });
    const updated = await sdk().customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    expect(updated.invoice_settings.default_payment_method).toBe(card.id);
    // Nothing happens before the retry is due.
    await advance(clock.id, day(2027, 2, 3));
    expect(types(lastAdvance(await delivered()))).toEqual(['test_helpers.test_clock.advancing', 'test_helpers.test_clock.ready']);
    expect((await subscription(sub.id)).status).toBe('past_due');

    await advance(clock.id, day(2027, 2, 5));
    got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', 'invoice.paid', 'invoice.payment_succeeded', 'customer.subscription.updated', 'test_helpers.test_clock.ready']);
    expect(got[1]!).toMatchObject({ created: day(2027, 2, 4), data: { object: { id: invoice.id, status: 'paid', attempt_count: 2, next_payment_attempt: null } } });
    expect(got[3]!.data).toMatchObject({ object: { status: 'active' }, previous_attributes: { status: 'past_due' } });
    expect(period(await subscription(sub.id))).toEqual([day(2027, 2, 1), day(2027, 3, 1)]);
  });

  it('a card that keeps failing: retried 3, 5 and 7 days after each failure, then the subscription is canceled', async () => {
    const { clock, customer } = await clockWithCustomer('pm_card_chargeCustomerFail');
    const sub = await subscribe(customer.id);
    await advance(clock.id, day(2027, 2, 20));
    const got = lastAdvance(await delivered());
    const failures = got.filter((e) => e.type === 'invoice.payment_failed');
    expect(failures.map((e) => [e.created, obj<Stripe.Invoice>(e).attempt_count, obj<Stripe.Invoice>(e).next_payment_attempt])).toEqual([
      [day(2027, 2, 1), 1, day(2027, 2, 4)],
      [day(2027, 2, 4), 2, day(2027, 2, 9)],
      [day(2027, 2, 9), 3, day(2027, 2, 16)],
      [day(2027, 2, 16), 4, null],
    ]);
    expect(types(got).slice(-3)).toEqual(['invoice.payment_failed', 'customer.subscription.deleted', 'test_helpers.test_clock.ready']);
    expect(got.at(-2)!).toMatchObject({ created: day(2027, 2, 16), data: { object: { id: sub.id, status: 'canceled', ended_at: day(2027, 2, 16) } } });
    // A canceled subscription renews no more.
    await advance(clock.id, day(2027, 3, 20));
    expect(types(lastAdvance(await delivered()))).toEqual(['test_helpers.test_clock.advancing', 'test_helpers.test_clock.ready']);
  });

  it('the retry schedule and what follows the last failure are settings: one retry after a day, then unpaid', async () => {
    const own = await startEmulator(createStripeEmulator({ paymentRetries: { afterDays: [1], whenExhausted: 'unpaid' } }));
    try {
      const stripe = sdk(own.port);
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
      const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_starter' }], payment_behavior: 'default_incomplete' });
      await stripe.invoices.pay(sub.latest_invoice as string, { paid_out_of_band: true });
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: day(2027, 2, 10) });
      await waitFor('the clock ready', async () => (await stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'ready');
      const { subscriptions, invoices } = (await (await fetch(`${own.baseUrl}/_inspect`)).json()) as StripeEmulatorState;
      expect(subscriptions[0]!.status).toBe('unpaid');
      expect(invoices.at(-1)).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: null });
    } finally {
      await own.close();
    }
  });

  it('cancel_at_period_end: the subscription ends at its period end (customer.subscription.deleted), without a renewal', async () => {
    const { clock, customer } = await clockWithCustomer();
    const sub = await subscribe(customer.id);
    const marked = await sdk().subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(marked).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: day(2027, 2, 1), canceled_at: T0 });
    await advance(clock.id, day(2027, 2, 15));
    const got = lastAdvance(await delivered());
    expect(types(got)).toEqual(['test_helpers.test_clock.advancing', 'customer.subscription.deleted', 'test_helpers.test_clock.ready']);
    expect(got[1]!).toMatchObject({
      created: day(2027, 2, 1),
      data: { object: { id: sub.id, status: 'canceled', cancel_at_period_end: true, canceled_at: T0, ended_at: day(2027, 2, 1) } },
    });
    expect((await state()).invoices.filter((i) => i.billing_reason === 'subscription_cycle')).toEqual([]);
  });

  it('refuses an advance to a time not later than frozen_time, or past two intervals of the shortest subscription, with 400', async () => {
    const { clock, customer } = await clockWithCustomer();
    const refusal = (to: number) => sdk().testHelpers.testClocks.advance(clock.id, { frozen_time: to }).catch((e: unknown) => e);
    for (const to of [T0, T0 - 1]) {
      const err = await refusal(to);
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    }
    // Without a subscription up to two years; with a monthly one, two months.
    expect(await refusal(day(2029, 1, 2))).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    await subscribe(customer.id);
    expect(await refusal(day(2027, 3, 2))).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    await expect(sdk().testHelpers.testClocks.advance('clock_nope', { frozen_time: T0 + 1 })).rejects.toMatchObject({ statusCode: 404 });
    // Nothing moved.
    expect(await sdk().testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ frozen_time: T0, status: 'ready' });
    expect((await state()).events.map((e) => e.type)).not.toContain('test_helpers.test_clock.advancing');
  });
});

describe('stripe emulator: /_simulate/advance-clock', () => {
  const hook = async (body: unknown) => {
    const res = await fetch(`${emu.baseUrl}/_simulate/advance-clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("advances a customer's clock by a month and answers once it is ready, with the events it recorded", async () => {
    const { clock, customer } = await clockWithCustomer();
    const sub = await subscribe(customer.id);
    const res = await hook({ customerId: customer.id, by: 'month' });
    expect(res.status).toBe(200);
    expect(res.body.clock).toMatchObject({ id: clock.id, frozen_time: day(2027, 2, 1), status: 'ready' });
    expect((res.body.events as { type: string }[]).map((e) => e.type)).toEqual(['test_helpers.test_clock.advancing', ...RENEWAL, 'test_helpers.test_clock.ready']);
    expect(period(await subscription(sub.id))).toEqual([day(2027, 2, 1), day(2027, 3, 1)]);
    // By the clock's id too; January 31 plus a month is the last of February, as Stripe counts months.
    const late = await sdk().testHelpers.testClocks.create({ frozen_time: day(2027, 1, 31) });
    expect((await hook({ clockId: late.id, by: 'month' })).body.clock).toMatchObject({ frozen_time: day(2027, 2, 28) });
    await delivered();
  });

  it('answers 400 without a clock to name, for a customer not on a clock or a malformed body, 404 for an unknown one', async () => {
    const plain = await sdk().customers.create({ email: 'bob@example.com' });
    expect((await hook({ by: 'month' })).status).toBe(400);
    expect((await hook({ customerId: plain.id, by: 'month' })).status).toBe(400);
    expect((await hook({ customerId: plain.id, by: 'year' })).status).toBe(400);
    expect((await hook({ clockId: 'clock_nope', by: 'month' })).status).toBe(404);
    expect((await hook({ customerId: 'cus_nope', by: 'month' })).status).toBe(404);
  });
});

describe("the hub's Advance one month button", () => {
  it('shows on a test clock row and advances the clock a month through the emulator, from the page and as JSON', async () => {
    const hub = await startHub([emu.running]);
    try {
      const { clock, customer } = await clockWithCustomer();
      const sub = await subscribe(customer.id);
      const page = await (await fetch(hub.url)).text();
      expect(page).toContain(`action="/_stripe/simulate/advance-clock" class="simulate"><input type="hidden" name="clockId" value="${clock.id}"><button>Advance one month</button>`);
      const form = await fetch(`${hub.url}/_stripe/simulate/advance-clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ clockId: clock.id }).toString(),
        redirect: 'manual',
      });
      expect(form.status).toBe(303);
      expect(period(await subscription(sub.id))).toEqual([day(2027, 2, 1), day(2027, 3, 1)]);
      const json = await fetch(`${hub.url}/_stripe/simulate/advance-clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clockId: clock.id }) });
      expect(json.status).toBe(200);
      expect(await json.json()).toMatchObject({ clock: { id: clock.id, frozen_time: day(2027, 3, 1), status: 'ready' } });
      expect(period(await subscription(sub.id))).toEqual([day(2027, 3, 1), day(2027, 4, 1)]);
      // The emulator's refusal comes back as it is.
      const unknown = await fetch(`${hub.url}/_stripe/simulate/advance-clock`, { method: 'POST', body: JSON.stringify({ clockId: 'clock_nope' }) });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { message: string }).message).toContain('clock_nope');
      const got = await delivered();
      expect(got.filter((e) => e.type === 'invoice.paid').map((e) => e.created)).toEqual([T0, day(2027, 2, 1), day(2027, 3, 1)]);
    } finally {
      await hub.close();
    }
  });
});

describe("the local stack's demo customer on a test clock (lib/local/seed-billing.ts)", () => {
  it('is made by the adapter and put on a clock with a test Visa; subscribing finds it, and a month later the renewal is paid', async () => {
    const user = { sub: 'auth0|demo-customer', email: 'customer@demo.fonella.local', name: 'Demo Customer' };
    const before = Math.floor(Date.now() / 1000);
    const { clockId, customerId } = await seedDemoBillingClock([emu.running], user);
    const clock = await sdk().testHelpers.testClocks.retrieve(clockId);
    expect(clock.frozen_time).toBeGreaterThanOrEqual(before);
    const customer = (await sdk().customers.retrieve(customerId)) as Stripe.Customer;
    expect(customer).toMatchObject({ email: user.email, name: user.name, metadata: { userId: user.sub }, test_clock: clockId });
    const card = await sdk().paymentMethods.retrieve(customer.invoice_settings.default_payment_method as string);
    expect(card).toMatchObject({ customer: customerId, card: { last4: '4242' } });

    // What POST /v1/me/subscription does: the same customer (found by the user id), a subscription on its clock.
    const billing = stripeBilling({ secretKey: 'sk_test_local', webhookSecret: SECRET, host: '127.0.0.1', port: emu.running.port, protocol: 'http' });
    expect(await billing.ensureCustomer({ userId: user.sub, email: user.email, name: user.name })).toBe(customerId);
    const created = await billing.createSubscription({ customerId, priceId: 'price_business', userId: user.sub });
    expect(created.createdAt).toBe(clock.frozen_time);
    const hook = (path: string, body: unknown) => fetch(`${emu.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await hook('/_simulate/payment-succeeded', { subscriptionId: created.subscriptionId })).status).toBe(200);
    expect((await hook('/_simulate/advance-clock', { clockId, by: 'month' })).status).toBe(200);
    const sub = await subscription(created.subscriptionId);
    expect(sub).toMatchObject({ status: 'active', test_clock: clockId });
    expect(sub.items.data[0]!.current_period_start).toBe(created.currentPeriodEnd.getTime() / 1000);
    const renewal = (await state()).invoices.find((i) => i.billing_reason === 'subscription_cycle');
    expect(renewal).toMatchObject({ status: 'paid', amount_paid: 7900, created: created.currentPeriodEnd.getTime() / 1000 });
    expect((await state()).customers.map((c) => c.id)).toEqual([customerId]);
    await delivered();
  });
});

describe('stripe emulator: cards', () => {
  it("attaches Stripe's test payment methods as cards of their own; a declined one is refused, a card of another customer cannot be a default", async () => {
    const stripe = sdk();
    const ada = await stripe.customers.create({ email: 'ada@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const card = await stripe.paymentMethods.retrieve(ada.invoice_settings.default_payment_method as string);
    expect(card).toMatchObject({ object: 'payment_method', type: 'card', customer: ada.id, card: { brand: 'visa', last4: '4242' } });
    const declined = await stripe.paymentMethods.attach('pm_card_visa_chargeDeclined', { customer: ada.id }).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    const bob = await stripe.customers.create({ email: 'bob@example.com' });
    expect(bob.invoice_settings.default_payment_method).toBeNull();
    await expect(stripe.customers.update(bob.id, { invoice_settings: { default_payment_method: card.id } })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing' });
    await expect(stripe.paymentMethods.attach(card.id, { customer: bob.id })).rejects.toMatchObject({ statusCode: 400 });
    const types = (await state()).events.map((e) => e.type);
    expect(types).toEqual(['customer.created', 'payment_method.attached', 'customer.created']);
  });
});
