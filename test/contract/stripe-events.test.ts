// The Stripe emulator's webhook events, through the official SDK and a local receiver over HTTP: every
// change recorded as a signed event and delivered in order (as `stripe listen --forward-to` does), the
// simulated payments, the delivery faults (late, twice, out of order, held), retries that give up, and
// the hub's buttons that drive the simulations.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startHub } from '../../lib/local/emulators/hub';
import { createStripeEmulator, type StripeEmulatorState, type StripeEvent } from '../../lib/local/emulators/stripe';
import { useEmulator } from '../support/emulator';
import { waitFor } from '../support/stack';
import { useStripeReceiver } from '../support/stripe-receiver';

const SECRET = 'whsec_local';
const emulator = createStripeEmulator();
const emu = useEmulator(emulator);
const sdk = () => new Stripe('sk_test_local', { host: '127.0.0.1', port: emu.running.port, protocol: 'http', maxNetworkRetries: 0 });
const state = () => emu.inspect<StripeEmulatorState>();

// The receiver: records every request; each test forwards to a path of its own (test/support/stripe-receiver.ts).
const receiver = useStripeReceiver(emulator);

/** This test's deliveries, each checked as our webhook route checks it (signature, 300 s tolerance). */
const received = () =>
  receiver
    .mine()
    .map((r) => ({ ...r, event: sdk().webhooks.constructEvent(r.payload, r.header, SECRET) as unknown as StripeEvent }));
const receivedIds = () => received().map((r) => r.event.id);
const waitForDeliveries = (n: number) => waitFor(`${n} deliveries`, async () => received().length >= n && received());

async function hook(hookPath: string, body?: unknown) {
  const res = await fetch(`${emu.baseUrl}${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const deliveries = async () =>
  (await (await fetch(`${emu.baseUrl}/_deliveries`)).json()) as { endpoint: string | null; pending: unknown[]; held: string[]; queued: string[] };
const eventsOf = async () => (await state()).events;
/** The ids of the events recorded for `objectId`, oldest first. */
const eventIdsFor = async (objectId: string) => (await eventsOf()).filter((e) => e.objectId === objectId).map((e) => e.id);

async function customer(email = 'ada@example.com') {
  const c = await sdk().customers.create({ email, metadata: { userId: email } });
  const [created] = await eventIdsFor(c.id);
  return { id: c.id, eventId: created! };
}

async function incompleteSubscription() {
  const { id: customerId } = await customer();
  const sub = await sdk().subscriptions.create({
    customer: customerId,
    items: [{ price: 'price_business' }],
    payment_behavior: 'default_incomplete',
    payment_settings: { save_default_payment_method: 'on_subscription' },
    expand: ['latest_invoice.confirmation_secret'],
  });
  const invoice = sub.latest_invoice as Stripe.Invoice;
  return { customerId, subscriptionId: sub.id, invoiceId: invoice.id!, itemId: sub.items.data[0]!.id };
}

async function activeSubscription() {
  const sub = await incompleteSubscription();
  await sdk().invoices.pay(sub.invoiceId, { paid_out_of_band: true });
  return sub;
}

describe('stripe emulator: webhook events', () => {
  it('records every change as an event and delivers them all, signed, in order: customer, subscription, payment, plan change, schedule, release, cancel', async () => {
    const stripe = sdk();
    const { customerId, subscriptionId, invoiceId, itemId } = await incompleteSubscription();
    await stripe.invoices.pay(invoiceId, { paid_out_of_band: true });
    await stripe.subscriptions.update(subscriptionId, { items: [{ id: itemId, price: 'price_premium' }], proration_behavior: 'create_prorations' });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscriptionId });
    await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: 'price_premium' }], start_date: schedule.phases[0]!.start_date, end_date: schedule.phases[0]!.end_date },
        { items: [{ price: 'price_starter' }] },
      ],
      end_behavior: 'release',
    });
    await stripe.subscriptionSchedules.release(schedule.id);
    await stripe.subscriptions.cancel(subscriptionId);

    const types = [
      'customer.created',
      'customer.subscription.created',
      'invoice.created',
      'invoice.paid',
      'customer.subscription.updated', // active after the payment
      'customer.subscription.updated', // the plan change
      'subscription_schedule.created',
      'customer.subscription.updated', // `schedule` set
      'subscription_schedule.updated',
      'subscription_schedule.released',
      'customer.subscription.updated', // `schedule` cleared
      'customer.subscription.deleted',
    ];
    const got = await waitForDeliveries(types.length);
    expect(got.map((r) => r.event.type)).toEqual(types);
    expect(got.every((r) => r.contentType?.startsWith('application/json'))).toBe(true);
    // In the order recorded, each once, each delivered at the first try.
    const events = await eventsOf();
    expect(got.map((r) => r.event.id)).toEqual(events.map((e) => e.id));
    expect(new Set(got.map((r) => r.event.id)).size).toBe(types.length);
    expect(events.map((e) => e.delivery)).toEqual(events.map(() => ({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null })));

    const [created, , invoiceCreated, paid, activated, planChanged, scheduleCreated, scheduled, , released, unscheduled, deleted] = got.map((r) => r.event);
    expect(created!.data.object).toMatchObject({ id: customerId, object: 'customer', email: 'ada@example.com' });
    expect(invoiceCreated!.data.object).toMatchObject({ id: invoiceId, status: 'open', billing_reason: 'subscription_create', amount_due: 7900 });
    // Invoices go out as the API renders them: the client secret only when expanded.
    expect(invoiceCreated!.data.object).not.toHaveProperty('confirmation_secret');
    expect(paid!.data.object).toMatchObject({ id: invoiceId, status: 'paid', amount_paid: 7900 });
    // Snapshots of the moment: the created event still says incomplete, the update after payment active.
    expect(got[1]!.event.data.object).toMatchObject({ id: subscriptionId, status: 'incomplete', latest_invoice: invoiceId });
    expect(activated!.data).toMatchObject({ object: { id: subscriptionId, status: 'active' }, previous_attributes: { status: 'incomplete' } });
    expect((planChanged!.data.object as unknown as Stripe.Subscription).items.data[0]!.price.id).toBe('price_premium');
    expect((planChanged!.data.previous_attributes as unknown as Stripe.Subscription).items.data[0]!.price.id).toBe('price_business');
    expect(scheduleCreated!.data.object).toMatchObject({ id: schedule.id, object: 'subscription_schedule', subscription: subscriptionId });
    expect(scheduled!.data).toMatchObject({ object: { schedule: schedule.id }, previous_attributes: { schedule: null } });
    expect(released!.data.object).toMatchObject({ id: schedule.id, status: 'released', released_subscription: subscriptionId });
    expect(unscheduled!.data).toMatchObject({ object: { schedule: null }, previous_attributes: { schedule: schedule.id } });
    expect(deleted!.data.object).toMatchObject({ id: subscriptionId, status: 'canceled', canceled_at: expect.any(Number) });
    for (const e of got.map((r) => r.event)) expect(e).toMatchObject({ object: 'event', api_version: expect.any(String), livemode: false, pending_webhooks: 1 });
  });

  it('payment-failed: invoice.created and invoice.payment_failed, then customer.subscription.updated past_due; payment-succeeded makes it active again', async () => {
    const { subscriptionId, invoiceId } = await activeSubscription();
    const before = (await eventsOf()).length;
    const failed = await hook('/_simulate/payment-failed', { subscriptionId });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ subscription: { id: subscriptionId, status: 'past_due' }, invoice: { status: 'open' } });
    const succeeded = await hook('/_simulate/payment-succeeded', { subscriptionId });
    expect(succeeded.status).toBe(200);
    expect(succeeded.body).toMatchObject({ subscription: { status: 'active' }, invoice: { status: 'paid' } });

    const got = (await waitForDeliveries(before + 5)).slice(before).map((r) => r.event);
    expect(got.map((e) => e.type)).toEqual([
      'invoice.created',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'invoice.paid',
      'customer.subscription.updated',
    ]);
    const renewal = got[0]!.data.object;
    expect(renewal.id).not.toBe(invoiceId);
    expect(renewal).toMatchObject({ status: 'open', billing_reason: 'subscription_cycle', amount_due: 7900, parent: { subscription_details: { subscription: subscriptionId } } });
    expect(got[1]!.data.object).toMatchObject({ id: renewal.id, status: 'open', attempt_count: 1, attempted: true });
    expect(got[2]!.data).toMatchObject({
      object: { id: subscriptionId, status: 'past_due', latest_invoice: renewal.id },
      previous_attributes: { status: 'active', latest_invoice: invoiceId },
    });
    expect(got[3]!.data.object).toMatchObject({ id: renewal.id, status: 'paid', attempt_count: 2 });
    expect(got[4]!.data).toMatchObject({ object: { status: 'active' }, previous_attributes: { status: 'past_due' } });
  });

  it('payment-failed on an incomplete subscription fails its first invoice once more and leaves it incomplete', async () => {
    const { subscriptionId, invoiceId } = await incompleteSubscription();
    const res = await hook('/_simulate/payment-failed', { subscriptionId });
    expect(res.body).toMatchObject({ subscription: { status: 'incomplete' }, invoice: { id: invoiceId, attempt_count: 1 } });
    expect((await eventsOf()).map((e) => e.type).slice(-1)).toEqual(['invoice.payment_failed']);
    expect((await state()).invoices.map((i) => i.id)).toEqual([invoiceId]);
  });

  it('the simulations answer 400 for an unknown or canceled subscription, and payment-succeeded for one with nothing open', async () => {
    const { subscriptionId } = await activeSubscription();
    const before = (await eventsOf()).length;
    expect((await hook('/_simulate/payment-succeeded', { subscriptionId })).status).toBe(400);
    for (const what of ['payment-failed', 'payment-succeeded']) {
      expect((await hook(`/_simulate/${what}`, { subscriptionId: 'sub_nope' })).status).toBe(400);
      expect((await hook(`/_simulate/${what}`, {})).status).toBe(400);
    }
    await sdk().subscriptions.cancel(subscriptionId);
    const canceled = await hook('/_simulate/payment-failed', { subscriptionId });
    expect(canceled).toMatchObject({ status: 400, body: { message: expect.stringContaining('canceled') } });
    // Only the cancel made an event.
    expect((await eventsOf()).slice(before).map((e) => e.type)).toEqual(['customer.subscription.deleted']);
  });

  it("event times and snapshots follow the emulator's clock; the signature stays fresh for the receiver", async () => {
    const { subscriptionId } = await activeSubscription();
    await fetch(`${emu.baseUrl}/_clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 3 * 86_400 }) });
    const clock = ((await (await fetch(`${emu.baseUrl}/_clock`)).json()) as { now: number }).now;
    await hook('/_simulate/payment-failed', { subscriptionId });
    const got = (await waitForDeliveries((await eventsOf()).length)).map((r) => r.event);
    const renewal = got.find((e) => e.type === 'invoice.created' && e.data.object.billing_reason === 'subscription_cycle')!;
    expect(renewal.created).toBeGreaterThanOrEqual(clock);
    expect(renewal.data.object.created).toBe(renewal.created);
    // The earlier events keep their own (earlier) times: a receiver can order by them.
    const created = got.map((e) => e.created);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(created[0]).toBeLessThan(clock);
  });
});

describe('stripe emulator: delivery faults', () => {
  it('duplicate: the next event is delivered twice with the same id, each signed', async () => {
    expect((await hook('/_deliveries', { mode: 'duplicate' })).status).toBe(201);
    const a = await customer('a@example.com');
    const b = await customer('b@example.com');
    await waitForDeliveries(3);
    expect(receivedIds()).toEqual([a.eventId, a.eventId, b.eventId]);
    expect((await eventsOf())[0]!.delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await deliveries()).pending).toEqual([]);
  });

  it('reorder: the next two events arrive in reverse order, the ones after in order', async () => {
    expect((await hook('/_deliveries', { mode: 'reorder' })).status).toBe(201);
    const a = await customer('a@example.com');
    expect((await deliveries()).held).toEqual([a.eventId]);
    const b = await customer('b@example.com');
    const c = await customer('c@example.com');
    await waitForDeliveries(3);
    expect(receivedIds()).toEqual([b.eventId, a.eventId, c.eventId]);
  });

  it('hold: events wait until released, then arrive in the order asked for', async () => {
    await hook('/_deliveries', { mode: 'hold' });
    const [a, b, c] = [await customer('a@example.com'), await customer('b@example.com'), await customer('c@example.com')];
    expect((await eventsOf()).map((e) => e.delivery.status)).toEqual(['held', 'held', 'held']);
    expect((await deliveries()).held).toEqual([a.eventId, b.eventId, c.eventId]);
    expect(received()).toEqual([]);
    const released = await hook('/_deliveries/release', { order: 'reverse' });
    expect(released.body).toEqual({ released: [c.eventId, b.eventId, a.eventId] });
    await waitForDeliveries(3);
    expect(receivedIds()).toEqual([c.eventId, b.eventId, a.eventId]);

    // A chosen order: the listed events first, the rest after, as recorded.
    await hook('/_deliveries', { mode: 'hold' });
    const [d, e, f] = [await customer('d@example.com'), await customer('e@example.com'), await customer('f@example.com')];
    expect((await hook('/_deliveries/release', { eventIds: ['evt_unknown'] })).status).toBe(400);
    expect((await hook('/_deliveries/release', { eventIds: [f.eventId, d.eventId] })).body).toEqual({ released: [f.eventId, d.eventId, e.eventId] });
    await waitForDeliveries(6);
    expect(receivedIds().slice(3)).toEqual([f.eventId, d.eventId, e.eventId]);
    // The hold ended with the release.
    const g = await customer('g@example.com');
    await waitForDeliveries(7);
    expect(receivedIds()[6]).toBe(g.eventId);
  });

  it('hold with a count holds only that many events; the ones after overtake them', async () => {
    await hook('/_deliveries', { mode: 'hold', count: 1 });
    const a = await customer('a@example.com');
    const b = await customer('b@example.com');
    await waitForDeliveries(1);
    expect(receivedIds()).toEqual([b.eventId]);
    // A held event waits for its release, not under way: the emulator is at rest (the tests' settle).
    await waitFor('the delivery to end', async () => emulator.motion!().active === 0);
    await hook('/_deliveries/release');
    await waitForDeliveries(2);
    expect(receivedIds()).toEqual([b.eventId, a.eventId]);
  });

  it('delay: a late delivery still arrives, and the events after it wait behind it', async () => {
    expect((await hook('/_deliveries', { mode: 'delay', ms: 1500 })).status).toBe(201);
    const queuedBefore = emulator.motion!().started;
    const a = await customer('a@example.com');
    const b = await customer('b@example.com');
    // The delay is taken by the first delivery, which waits; the second is queued behind it.
    const waiting = await deliveries();
    expect(waiting.pending).toEqual([]);
    expect(waiting.queued).toEqual([b.eventId]);
    // Both under way as the emulator's motion: the one waiting out its delay and the one queued.
    expect(emulator.motion!()).toEqual({ active: 2, started: queuedBefore + 2 });
    await waitForDeliveries(2);
    expect(receivedIds()).toEqual([a.eventId, b.eventId]);
    await waitFor('the pump to stop', async () => emulator.motion!().active === 0);
  });

  it('a receiver answering 500 gets four tries, then the event counts as failed; the next event is delivered', async () => {
    receiver.answers.set(receiver.path(), [500, 500, 500, 500]);
    const a = await customer('a@example.com');
    const failed = await waitFor('the delivery to be given up', async () => {
      const e = (await eventsOf())[0]!;
      return e.delivery.status === 'failed' && e;
    });
    expect(failed.delivery).toEqual({ status: 'failed', attempts: 4, lastStatus: 500, lastError: 'HTTP 500' });
    expect(receivedIds()).toEqual([a.eventId, a.eventId, a.eventId, a.eventId]);
    const b = await customer('b@example.com');
    await waitForDeliveries(5);
    expect(receivedIds()[4]).toBe(b.eventId);
  });

  it('a failed try is retried: a 500 and then a 200 delivers the event on the second try', async () => {
    receiver.answers.set(receiver.path(), [500]);
    const a = await customer('a@example.com');
    await waitForDeliveries(2);
    expect(receivedIds()).toEqual([a.eventId, a.eventId]);
    await waitFor('the delivery', async () => (await eventsOf())[0]!.delivery.status === 'delivered');
    expect((await eventsOf())[0]!.delivery).toEqual({ status: 'delivered', attempts: 2, lastStatus: 200, lastError: null });
  });

  it('an endpoint that refuses the connection: retried, then failed with the network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    emulator.forwardTo(`http://127.0.0.1:${port}/webhooks`);
    await customer();
    const failed = await waitFor('the delivery to be given up', async () => {
      const e = (await eventsOf())[0]!;
      return e.delivery.status === 'failed' && e;
    });
    expect(failed.delivery).toEqual({ status: 'failed', attempts: 4, lastStatus: null, lastError: 'ECONNREFUSED' });
  });

  it('without an endpoint nothing is posted, but /_inspect lists the events', async () => {
    emulator.forwardTo(undefined);
    const a = await customer('a@example.com');
    expect((await deliveries()).endpoint).toBeNull();
    expect(await eventsOf()).toEqual([
      {
        id: a.eventId,
        type: 'customer.created',
        created: expect.any(Number),
        objectId: a.id,
        delivery: { status: 'no_endpoint', attempts: 0, lastStatus: null, lastError: null },
      },
    ]);
    const whole = (await (await fetch(`${emu.baseUrl}/_events/${a.eventId}`)).json()) as StripeEvent;
    expect(whole).toMatchObject({ id: a.eventId, pending_webhooks: 0, data: { object: { id: a.id } } });
    expect((await fetch(`${emu.baseUrl}/_events/evt_nope`)).status).toBe(404);
    // Once forwarding starts, the events from then on go out; the earlier one is not sent after them.
    emulator.forwardTo(`${receiver.url()}${receiver.path()}`);
    const b = await customer('b@example.com');
    await waitForDeliveries(1);
    expect(receivedIds()).toEqual([b.eventId]);
    expect((await eventsOf())[0]!.delivery.status).toBe('no_endpoint');
  });

  it('redeliver sends a recorded event again: the same id and body, signed again', async () => {
    const a = await customer();
    await waitForDeliveries(1);
    const res = await hook('/_deliveries/redeliver', { eventId: a.eventId });
    expect(res).toEqual({ status: 202, body: { queued: a.eventId } });
    const got = await waitForDeliveries(2);
    expect(got.map((r) => r.event.id)).toEqual([a.eventId, a.eventId]);
    expect(got[1]!.payload).toBe(got[0]!.payload);
    expect((await hook('/_deliveries/redeliver', { eventId: 'evt_nope' })).status).toBe(404);
    emulator.forwardTo(undefined);
    expect((await hook('/_deliveries/redeliver', { eventId: a.eventId })).status).toBe(409);
  });

  it('/_reset forgets the events, the faults and what was held; the endpoint stays', async () => {
    await hook('/_deliveries', { mode: 'hold' });
    await hook('/_deliveries', { mode: 'duplicate', count: 5 });
    await customer('a@example.com');
    expect(await fetch(`${emu.baseUrl}/_reset`, { method: 'POST' }).then((r) => r.status)).toBe(200);
    expect(await eventsOf()).toEqual([]);
    expect(await deliveries()).toEqual({ endpoint: `${receiver.url()}${receiver.path()}`, pending: [], held: [], queued: [] });
    expect((await hook('/_deliveries/release')).body).toEqual({ released: [] });
    const b = await customer('b@example.com');
    await waitForDeliveries(1);
    expect(receivedIds()).toEqual([b.eventId]);
  });

  it('refuses malformed hook bodies with 400', async () => {
    for (const body of [{ mode: 'nope' }, { mode: 'delay' }, { mode: 'reorder', count: 1 }, { mode: 'duplicate', count: 0 }, { mode: 'hold', extra: 1 }]) {
      expect((await hook('/_deliveries', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await hook('/_deliveries/release', { order: 'random' })).status).toBe(400);
    expect((await hook('/_deliveries/redeliver', {})).status).toBe(400);
    expect((await deliveries()).pending).toEqual([]);
  });
});

describe("the hub's Stripe buttons", () => {
  it('show on a subscription row and drive the simulations through the emulator, from the page and as JSON', async () => {
    const hub = await startHub([emu.running]);
    try {
      const { subscriptionId } = await activeSubscription();
      const page = await (await fetch(hub.url)).text();
      expect(page).toContain(`name="subscriptionId" value="${subscriptionId}"`);
      expect(page).toContain('action="/_stripe/simulate/payment-failed"');
      const form = await fetch(`${hub.url}/_stripe/simulate/payment-failed`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ subscriptionId }).toString(),
        redirect: 'manual',
      });
      expect(form.status).toBe(303);
      expect((await state()).subscriptions[0]!.status).toBe('past_due');
      const json = await fetch(`${hub.url}/_stripe/simulate/payment-succeeded`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscriptionId }),
      });
      expect(json.status).toBe(200);
      expect(await json.json()).toMatchObject({ subscription: { id: subscriptionId, status: 'active' } });
      // The emulator's refusal comes back as it is.
      const unknown = await fetch(`${hub.url}/_stripe/simulate/payment-failed`, { method: 'POST', body: JSON.stringify({ subscriptionId: 'sub_nope' }) });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { message: string }).message).toContain('sub_nope');
      expect((await eventsOf()).slice(-5).map((e) => e.type)).toEqual([
        'invoice.created',
        'invoice.payment_failed',
        'customer.subscription.updated',
        'invoice.paid',
        'customer.subscription.updated',
      ]);
    } finally {
      await hub.close();
    }
  });
});
