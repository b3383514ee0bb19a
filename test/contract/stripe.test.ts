// The Stripe adapter (official SDK) against the Stripe emulator, over HTTP: every port method checked
// against the emulator's state, the webhook signature check, and SDK failures as our typed errors.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../lib/local/emulators/kit';
import { IDEMPOTENCY_TTL_SECONDS, createStripeEmulator, type StripeEmulatorState } from '../../lib/local/emulators/stripe';
import { ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { stripeBilling, type StripeSettings } from '../../shared/providers/stripe/adapter';
import { stripeConfig } from '../../shared/providers/stripe/config';
import { planPricesConfig } from '../../shared/config/plans';
import { WebhookSignatureError } from '../../shared/providers/stripe/port';
import { useEmulator } from '../support/emulator';
import { waitFor } from '../support/stack';

const emulator = createStripeEmulator();
const emu = useEmulator(emulator);
const settings = (over: Partial<StripeSettings> = {}): StripeSettings => ({
  secretKey: 'sk_test_local',
  webhookSecret: 'whsec_local',
  host: '127.0.0.1',
  port: emu.running.port,
  protocol: 'http',
  ...over,
});
const billing = (over: Partial<StripeSettings> = {}) => stripeBilling(settings(over));
const state = () => emu.inspect<StripeEmulatorState>();
/** The SDK straight at the emulator, without its own retries (they would hide a 409). */
const sdk = () => new Stripe('sk_test_local', { host: '127.0.0.1', port: emu.running.port, protocol: 'http', maxNetworkRetries: 0 });
/** Moves the emulator's clock forward (its timestamps and the age of Idempotency-Keys). */
async function advanceClock(seconds: number) {
  const res = await fetch(`${emu.baseUrl}/_clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(res.status).toBe(200);
}
/** Makes the next matching POST take `ms` longer, its Idempotency-Key in flight meanwhile. */
async function slowDown(latency: { ms: number; match?: string; count?: number }) {
  const res = await fetch(`${emu.baseUrl}/_latency`, { method: 'POST', body: JSON.stringify(latency) });
  expect(res.status).toBe(201);
}
/** Resolves once the emulator holds `key`'s request in flight (a slowed-down POST), however long that takes here. */
const keyInFlight = (key: string) =>
  waitFor(`${key} in flight`, async () => {
    const res = await fetch(`${emu.baseUrl}/_latency`);
    return ((await res.json()) as { inFlight: string[] }).inFlight.includes(key);
  });
const subscription = async (id: string) => (await state()).subscriptions.find((s) => s.id === id)!;

/** A paid, active subscription: what exists once the portal has confirmed the first payment. */
async function activeSubscription(priceId = 'price_business') {
  const b = billing();
  const customerId = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
  const { subscriptionId } = await b.createSubscription({ customerId, priceId, userId: 'u-1' });
  await sdk().invoices.pay((await subscription(subscriptionId)).latest_invoice!, { paid_out_of_band: true });
  expect((await subscription(subscriptionId)).status).toBe('active');
  return { b, customerId, subscriptionId };
}

describe('stripe billing adapter', () => {
  it('ensureCustomer stores email, name and userId, and gives the same customer for the same user', async () => {
    const b = billing();
    const first = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    const again = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    const other = await b.ensureCustomer({ userId: 'u-2', email: 'bob@example.com' });
    expect(first).toMatch(/^cus_/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    const { customers } = await state();
    expect(customers).toHaveLength(2);
    expect(customers[0]).toMatchObject({ id: first, email: 'ada@example.com', name: 'Ada', metadata: { userId: 'u-1' } });
  });

  it('ensureCustomer with the stored id answers it from one read: no search, no create', async () => {
    const b = billing();
    const id = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    const before = emu.running.stats().byPath;
    expect(await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com', customerId: id })).toBe(id);
    const after = emu.running.stats().byPath;
    const calls = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(calls).toEqual([`GET /v1/customers/${id}`]);
  });

  it('ensureCustomer a day later, the creation key forgotten and the id not passed, finds the customer instead of making a second', async () => {
    const b = billing();
    const first = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    await advanceClock(IDEMPOTENCY_TTL_SECONDS + 60);
    expect(await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' })).toBe(first);
    expect((await state()).customers.map((c) => c.id)).toEqual([first]);
  });

  it('ensureCustomer with a stored id Stripe no longer has makes a new customer, then finds that one', async () => {
    const b = billing();
    const first = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    await sdk().customers.del(first);
    // Within the 24 hours of the first creation key: a replay of it would hand back the deleted customer.
    const second = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com', customerId: first });
    expect(second).not.toBe(first);
    expect(await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com', customerId: 'cus_unknown' })).toBe(second);
    const { customers } = await state();
    expect(customers.map((c) => [c.id, c.deleted ?? false])).toEqual([
      [first, true],
      [second, false],
    ]);
  });

  it('two concurrent ensureCustomer calls for one user make one customer: the second waits out Stripe\'s 409', async () => {
    // Long enough for the second call to find the first one's key in flight, short enough for the
    // adapter's 409 retries (1.5 s in all) to outlast it.
    await slowDown({ ms: 1200, match: '/v1/customers' });
    const b = billing();
    const first = b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    await keyInFlight('fonella-customer-u-1');
    const [one, two] = await Promise.all([first, b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' })]);
    expect(two).toBe(one);
    expect((await state()).customers.map((c) => c.id)).toEqual([one]);
    // Two creations, and at least one retry after a 409.
    expect(emu.running.stats().byPath['POST /v1/customers']).toBeGreaterThanOrEqual(3);
  });

  it('createSubscription starts it incomplete, with the client secret of its first invoice and the item period end', async () => {
    const b = billing();
    const customerId = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    const created = await b.createSubscription({ customerId, priceId: 'price_business', userId: 'u-1' });
    const { subscriptions, invoices } = await state();
    const sub = subscriptions[0]!;
    const invoice = invoices.find((i) => i.id === sub.latest_invoice)!;
    expect(created.subscriptionId).toBe(sub.id);
    expect(created.status).toBe('incomplete');
    expect(created.clientSecret).toMatch(/^pi_\w+_secret_\w+$/);
    expect(created.clientSecret).toBe(invoice.confirmation_secret?.client_secret);
    expect(created.currentPeriodEnd.getTime()).toBe(sub.items.data[0]!.current_period_end * 1000);
    expect(created.currentPeriodEnd.getTime()).toBeGreaterThan(Date.now() + 27 * 86_400_000);
    expect(sub).toMatchObject({
      customer: customerId,
      metadata: { userId: 'u-1' },
      payment_settings: { save_default_payment_method: 'on_subscription' },
    });
    expect(sub.items.data.map((i) => i.price.id)).toEqual(['price_business']);
  });

  it('createSubscription with an unknown price → ProviderRejectedError, nothing created', async () => {
    const b = billing();
    const customerId = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    await expect(b.createSubscription({ customerId, priceId: 'price_nope', userId: 'u-1' })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await state()).subscriptions).toEqual([]);
  });

  it('changePlanNow swaps the item price in place and leaves prorations for the rest of the period', async () => {
    const { b, subscriptionId } = await activeSubscription('price_business');
    const itemBefore = (await subscription(subscriptionId)).items.data[0]!;
    expect(await b.changePlanNow({ subscriptionId, priceId: 'price_premium' }), 'no schedule to release').toEqual({ releasedAt: undefined });
    const sub = await subscription(subscriptionId);
    expect(sub.items.data).toHaveLength(1);
    expect(sub.items.data[0]).toMatchObject({ id: itemBefore.id, price: { id: 'price_premium' } });
    const { invoiceItems } = await state();
    expect(invoiceItems.map((i) => Math.sign(i.amount))).toEqual([-1, 1]);
    expect(invoiceItems.every((i) => i.proration && i.parent.subscription_details.subscription === subscriptionId)).toBe(true);
  });

  it('changePlanNow on a subscription that is still incomplete → ProviderRejectedError (Stripe refuses it)', async () => {
    const b = billing();
    const customerId = await b.ensureCustomer({ userId: 'u-1', email: 'ada@example.com' });
    const { subscriptionId } = await b.createSubscription({ customerId, priceId: 'price_starter', userId: 'u-1' });
    await expect(b.changePlanNow({ subscriptionId, priceId: 'price_premium' })).rejects.toBeInstanceOf(ProviderRejectedError);
    expect((await subscription(subscriptionId)).items.data[0]!.price.id).toBe('price_starter');
  });

  it('schedulePlanChange keeps the current plan until the period end, then the new one, and releases', async () => {
    const { b, subscriptionId } = await activeSubscription('price_premium');
    const periodEnd = (await subscription(subscriptionId)).items.data[0]!.current_period_end;
    const { scheduleId, effectiveAt, scheduledAt } = await b.schedulePlanChange({ subscriptionId, priceId: 'price_starter' });
    expect(effectiveAt.getTime()).toBe(periodEnd * 1000);
    const { subscriptionSchedules } = await state();
    expect(subscriptionSchedules).toHaveLength(1);
    const schedule = subscriptionSchedules[0]!;
    // Stripe's time of the schedule, which the stored pending change is dated by.
    expect(scheduledAt?.getTime()).toBe(schedule.created * 1000);
    expect(schedule).toMatchObject({ id: scheduleId, subscription: subscriptionId, end_behavior: 'release', status: 'active' });
    expect(scheduleId).toMatch(/^sub_sched_/);
    expect(schedule.phases.map((p) => p.items.map((i) => i.price))).toEqual([['price_premium'], ['price_starter']]);
    expect(schedule.phases[0]!.end_date).toBe(periodEnd);
    expect(schedule.phases[1]!.start_date).toBe(periodEnd);
    const sub = await subscription(subscriptionId);
    expect(sub.items.data[0]!.price.id).toBe('price_premium');
    expect(sub.schedule).toBe(scheduleId);
  });

  it('a second schedulePlanChange rewrites the same schedule', async () => {
    const { b, subscriptionId } = await activeSubscription('price_premium');
    const first = await b.schedulePlanChange({ subscriptionId, priceId: 'price_starter' });
    const second = await b.schedulePlanChange({ subscriptionId, priceId: 'price_business' });
    expect(second.scheduleId).toBe(first.scheduleId);
    // Created by the first change: no Stripe time of the second.
    expect(second.scheduledAt).toBeUndefined();
    const { subscriptionSchedules } = await state();
    expect(subscriptionSchedules).toHaveLength(1);
    expect(subscriptionSchedules[0]!.phases.map((p) => p.items[0]!.price)).toEqual(['price_premium', 'price_business']);
  });

  it('changePlanNow after a scheduled downgrade releases the schedule, so the downgrade does not follow', async () => {
    const { b, subscriptionId } = await activeSubscription('price_business');
    const { scheduleId } = await b.schedulePlanChange({ subscriptionId, priceId: 'price_starter' });
    const { releasedAt } = await b.changePlanNow({ subscriptionId, priceId: 'price_premium' });
    const { subscriptionSchedules } = await state();
    const released = subscriptionSchedules.find((s) => s.id === scheduleId);
    expect(released).toMatchObject({ status: 'released', released_subscription: subscriptionId });
    expect(releasedAt?.getTime()).toBe(released!.released_at! * 1000);
    const sub = await subscription(subscriptionId);
    expect(sub.schedule).toBeNull();
    expect(sub.items.data[0]!.price.id).toBe('price_premium');
  });

  it('cancelNow cancels at once; canceling again counts as done', async () => {
    const { b, subscriptionId } = await activeSubscription();
    await b.cancelNow(subscriptionId);
    const sub = await subscription(subscriptionId);
    expect(sub.status).toBe('canceled');
    expect(sub.canceled_at).toEqual(expect.any(Number));
    await expect(b.cancelNow(subscriptionId)).resolves.toBeUndefined();
  });

  it('an unknown subscription → ProviderNotFoundError', async () => {
    const b = billing();
    await expect(b.changePlanNow({ subscriptionId: 'sub_nope', priceId: 'price_starter' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(b.schedulePlanChange({ subscriptionId: 'sub_nope', priceId: 'price_starter' })).rejects.toBeInstanceOf(ProviderNotFoundError);
    await expect(b.cancelNow('sub_nope')).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('a wrong secret key → ProviderRejectedError, nothing created', async () => {
    await expect(billing({ secretKey: 'sk_test_wrong' }).ensureCustomer({ userId: 'u-1', email: 'a@example.com' })).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
    expect((await state()).customers).toEqual([]);
  });

  it('a 5xx is retried (the call carries an Idempotency-Key) and succeeds once Stripe answers', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    const id = await billing().ensureCustomer({ userId: 'u-1', email: 'a@example.com' });
    expect(await emu.pending()).toEqual([]);
    expect((await state()).customers.map((c) => c.id)).toEqual([id]);
  });

  it('5xx on every attempt → ProviderUnavailableError', async () => {
    await emu.fault({ mode: 'error', count: 3 });
    await expect(billing().ensureCustomer({ userId: 'u-1', email: 'a@example.com' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await emu.pending()).toEqual([]);
    expect((await state()).customers).toEqual([]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    await emu.fault({ mode: 'timeout', count: 3 });
    const started = Date.now();
    await expect(billing({ timeoutMs: 300 }).cancelNow('sub_any')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

// Source: docs.stripe.com/idempotency (keys pruned once at least 24 hours old, then the request runs
// again; a request conflicting with a concurrent one of the same key stores no result) and
// docs.stripe.com/error-low-level (409: the request conflicts with another, e.g. the same idempotent key).
describe('stripe emulator: Idempotency-Key as Stripe keeps it', () => {
  const create = (key: string, email = 'ada@example.com') => sdk().customers.create({ email }, { idempotencyKey: key });

  it('replays a key within 24 hours and forgets it after: the same key then creates again', async () => {
    const first = await create('key-1');
    expect((await create('key-1')).id).toBe(first.id);
    await advanceClock(IDEMPOTENCY_TTL_SECONDS - 10);
    expect((await create('key-1')).id).toBe(first.id);
    await advanceClock(10);
    const later = await create('key-1');
    expect(later.id).not.toBe(first.id);
    expect((await state()).customers).toHaveLength(2);
  });

  it('a shorter key lifetime can be set for a test (idempotencyTtlSeconds)', async () => {
    // The emulator's own clock, not the wall clock: a loaded machine may take a second between two requests.
    const short = await startEmulator(createStripeEmulator({ idempotencyTtlSeconds: 60 }));
    try {
      const client = new Stripe('sk_test_local', { host: '127.0.0.1', port: short.port, protocol: 'http', maxNetworkRetries: 0 });
      const create = () => client.customers.create({ email: 'ada@example.com' }, { idempotencyKey: 'key-1' });
      const advance = async (seconds: number) => {
        const res = await fetch(`http://127.0.0.1:${short.port}/_clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: seconds }) });
        expect(res.status).toBe(200);
      };
      // The clock counts whole seconds of real time too: 50 s on, the key holds even if some real seconds passed.
      const first = await create();
      await advance(50);
      expect((await create()).id).toBe(first.id);
      await advance(10);
      expect((await create()).id).not.toBe(first.id);
    } finally {
      await short.close();
    }
  });

  it('the same key with other parameters → 400 idempotency_error', async () => {
    await create('key-1');
    const err = await create('key-1', 'bob@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
  });

  it('the same key while its first request still runs → 409 idempotency_key_in_use, nothing stored; later the first answer', async () => {
    await slowDown({ ms: 2000, match: '/v1/customers' });
    const first = create('key-1');
    await keyInFlight('key-1');
    const err = await create('key-1').catch((e: unknown) => e);
    // The SDK files a 409 under StripeAPIError; Stripe's body says what it is.
    expect(err).toBeInstanceOf(Stripe.errors.StripeError);
    expect(err).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use', raw: { type: 'idempotency_error' } });
    const { id } = await first;
    expect((await create('key-1')).id).toBe(id);
    expect((await state()).customers.map((c) => c.id)).toEqual([id]);
  });

  it('a key is per request: another key creates another customer, a key-less POST is never replayed', async () => {
    await create('key-1');
    await create('key-2');
    await sdk().customers.create({ email: 'ada@example.com' });
    expect((await state()).customers).toHaveLength(3);
  });
});

describe('stripe webhook check', () => {
  const b = () => stripeBilling({ secretKey: 'sk_test_local', webhookSecret: 'whsec_local' });
  const payload = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type: 'invoice.paid',
    created: 1_800_000_000,
    data: { object: { id: 'in_1', object: 'invoice', amount_paid: 7900 } },
  });
  const sign = (o: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret: o.secret ?? 'whsec_local', timestamp: o.timestamp });
  const rejects = (body: string, header: string | undefined) => {
    try {
      b().verifyWebhook(body, header);
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('accepts a body signed by the SDK with our secret and returns the event', () => {
    const event = b().verifyWebhook(payload, sign());
    expect(event).toEqual({
      id: 'evt_1',
      type: 'invoice.paid',
      created: new Date(1_800_000_000_000),
      data: { object: { id: 'in_1', object: 'invoice', amount_paid: 7900 } },
    });
    expect(b().verifyWebhook(Buffer.from(payload), sign()).id).toBe('evt_1');
  });

  it('accepts what the emulator signs (same scheme as Stripe)', () => {
    const { payload: body, header } = emulator.signedEvent('customer.subscription.updated', { id: 'sub_1', object: 'subscription' });
    expect(b().verifyWebhook(body, header)).toMatchObject({ type: 'customer.subscription.updated', data: { object: { id: 'sub_1' } } });
  });

  it('rejects a tampered body, a wrong secret, a stale timestamp and a missing header with WebhookSignatureError', () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    for (const [body, header] of [
      [payload.replace('7900', '1'), sign()],
      [payload, sign({ secret: 'whsec_other' })],
      [payload, sign({ timestamp: stale })],
      [payload, undefined],
      [payload, 't=1,v1=deadbeef'],
    ] as const) {
      const err = rejects(body, header);
      expect(err).toBeInstanceOf(WebhookSignatureError);
      expect((err as WebhookSignatureError).status).toBe(400);
    }
  });

  it('accepts a timestamp just inside the 300 s tolerance', () => {
    const recent = Math.floor(Date.now() / 1000) - 290;
    expect(b().verifyWebhook(payload, sign({ timestamp: recent })).id).toBe('evt_1');
  });
});

describe('stripe config', () => {
  // Each plan's price sits with the catalogue (shared/config/plans.ts), not with the Stripe account.
  const prod = {
    STAGE: 'prod',
    STRIPE_SECRET_KEY: 'sk_live_x',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    STRIPE_PRICE_STARTER: 'price_1',
    STRIPE_PRICE_BUSINESS: 'price_2',
    STRIPE_PRICE_PREMIUM: 'price_3',
  };

  it('locally points the SDK at the emulator with its key and secret; the prices are the plans\' (one config)', () => {
    expect(stripeConfig.parse({ STAGE: 'local' })).toEqual({
      secretKey: 'sk_test_local',
      webhookSecret: 'whsec_local',
      api: { host: '127.0.0.1', port: 4007, protocol: 'http' },
    });
    expect(planPricesConfig.parse({ STAGE: 'local' })).toEqual({ starter: 'price_starter', business: 'price_business', premium: 'price_premium' });
    expect(planPricesConfig.parse(prod)).toEqual({ starter: 'price_1', business: 'price_2', premium: 'price_3' });
  });

  it('off the local stack uses the SDK default unless STRIPE_API_URL is set', () => {
    expect(stripeConfig.parse(prod).api).toBeUndefined();
    expect(stripeConfig.parse({ ...prod, STRIPE_API_URL: 'https://stripe.internal' }).api).toEqual({
      host: 'stripe.internal',
      port: 443,
      protocol: 'https',
    });
  });

  it('on a deployed stage the key is required and must be a secret key', () => {
    expect(() => stripeConfig.parse({ ...prod, STRIPE_SECRET_KEY: undefined })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => stripeConfig.parse({ ...prod, STRIPE_SECRET_KEY: 'pk_live_x' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => planPricesConfig.parse({ ...prod, STRIPE_PRICE_PREMIUM: undefined })).toThrow(/STRIPE_PRICE_PREMIUM/);
  });
});
