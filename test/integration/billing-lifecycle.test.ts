// A subscription's life on a Stripe test clock, through the local API, the Stripe emulator's clock and
// the stream workers: renewals, a scheduled downgrade to a plan without a number (the number released
// at the period's end, announced by email beforehand), a downgrade or cancellation taken back (one
// email that the number stays), a failed renewal and its recovery, a
// cancellation at the period's end, and the pool number reaching users who wait for one (when their
// subscription turns active, and in the order they started waiting when an import adds numbers).
//
// The plans are the local stack's own (LOCAL_PLANS, the default of `npm start` and the tests: Starter
// without a number). A stack of its own (test/projects.ts OWN_STACK): the suite empties the pool to make
// users wait.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PLANS, plansConfig } from '../../shared/config/plans';
import { poolKey } from '../../shared/db/pool';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { SIPGATE_LOCAL } from '../../shared/providers/sipgate/config';
import { addFreePoolNumber } from '../support/rows';
import { startTestStack, waitFor, type TestStack } from '../support/stack';
import { newUser, partition, rowOf, rowsOf } from '../support/users';

const DAY = 86_400;

let stack: TestStack;
let stripe: Stripe;
beforeAll(async () => {
  stack = await startTestStack();
  const url = new URL(stack.emulators.stripe!);
  stripe = new Stripe(stack.credentials.stripe!.secretKey!, { host: url.hostname, port: Number(url.port), protocol: 'http' });
});
afterAll(async () => {
  await stack?.stop();
});

it('runs on the local catalogue: Starter has no number, Business and Premium have one', async () => {
  expect(plansConfig().plans).toEqual(LOCAL_PLANS);
  const listed = (await stack.call('GET', '/v1/public/plans')).body.plans as { id: string; includesPoolNumber: boolean }[];
  expect(listed.map((p) => [p.id, p.includesPoolNumber])).toEqual([['starter', false], ['business', true], ['premium', true]]);
});

interface StripeEventSummary {
  id: string;
  type: string;
  created: number;
}
/** The event types the webhook applies (and remembers). */
const FOLLOWED = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'subscription_schedule.updated',
  'subscription_schedule.released',
  'subscription_schedule.canceled',
  'subscription_schedule.completed',
]);

/**
 * A customer of the portal whose Stripe customer lives on a test clock of its own, frozen 60 days
 * behind real time, as the local seed attaches one to the demo customer: the customer made first
 * (found again by `metadata.userId` when the user subscribes), `card` its default payment method.
 */
async function clockCustomer(card = 'pm_card_visa') {
  const u = await newUser(stack, { prefix: 'life', name: 'Lifecycle Tester', firstLogin: true });
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) - 60 * DAY });
  const customer = await stripe.customers.create({ email: u.email, name: 'Lifecycle Tester', metadata: { userId: u.sub }, test_clock: clock.id });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: u.token, body });
  return {
    ...u,
    clockId: clock.id,
    customerId: customer.id,
    call,
    row: async () => (await rowOf(stack, u.sub, 'SUBSCRIPTION'))!,
    me: async () => (await call('GET', '/v1/me')).body,
    /** Subscribes and pays the first invoice (the portal's confirmation); answers the subscription's id. */
    async subscribe(planId: string): Promise<string> {
      const res = await call('POST', '/v1/me/subscription', { planId });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const s = await stripe.subscriptions.retrieve(res.body.subscriptionId);
      await stripe.invoices.pay(String(s.latest_invoice), { paid_out_of_band: true });
      await waitFor('the subscription active', async () => (await this.row()).status === 'active');
      return res.body.subscriptionId as string;
    },
    /** One month (or week, day) on the clock: answers the events it sent, once the workers are done. */
    async advance(by: 'day' | 'week' | 'month' = 'month'): Promise<StripeEventSummary[]> {
      const res = await fetch(`${stack.emulators.stripe}/_simulate/advance-clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clockId: clock.id, by }),
      });
      expect(res.status).toBe(200);
      const { events } = (await res.json()) as { events: StripeEventSummary[] };
      // The deliveries are the emulator's own; each event the webhook follows leaves a marker once applied.
      await waitFor('the clock\'s events delivered', async () => {
        for (const e of events) if (FOLLOWED.has(e.type) && (await partition(stack, `STRIPE_EVENT#${e.id}`)).length === 0) return false;
        return true;
      }, 15_000);
      await stack.streams.idle();
      return events;
    },
    mails: async () => (await stack.mails()).filter((m) => m.to.includes(u.email!)),
  };
}

type ClockCustomer = Awaited<ReturnType<typeof clockCustomer>>;

/** The customer's assistant, and with it a pool number when the plan has one and the pool a free one. */
async function withAssistant(u: ClockCustomer) {
  const res = await u.call('PUT', '/v1/me/assistant', { greeting: 'Guten Tag', language: 'de' });
  expect(res.status).toBe(200);
  await stack.streams.idle();
  return res.body;
}

const poolRow = async (number: string) => (await partition(stack, poolKey(number).pk))[0];
const vapiNumbers = async () => (await stack.inspect<{ phoneNumbers: { id: string; number: string }[] }>('vapi')).phoneNumbers;
const boundLine = (u: { sub: string }) =>
  waitFor('the pool line bound in Vapi', async () => {
    const line = await rowOf(stack, u.sub, 'INTEGRATION#POOL');
    return line?.vapiPhoneNumberId ? line : undefined;
  });

/**
 * A clock customer subscribed to `plan` (paid), with their assistant and its pool number bound in Vapi
 * (a free number added first); `tagged` their emails of one kind.
 */
async function numberedCustomer(plan: 'business' | 'premium', opts: { locale?: 'en' } = {}) {
  await addFreePoolNumber(stack);
  const u = await clockCustomer();
  const subscriptionId = await u.subscribe(plan);
  if (opts.locale) expect((await u.call('PATCH', '/v1/me/settings', { locale: opts.locale })).status).toBe(200);
  await withAssistant(u);
  const line = await boundLine(u);
  return {
    u,
    subscriptionId,
    line,
    number: String(line.number),
    periodEnd: String((await u.row()).currentPeriodEnd),
    tagged: async (tag: string) => (await u.mails()).filter((m) => m.tags.includes(tag)),
  };
}

describe('a subscription on a test clock', () => {
  it('renews twice: each period paid (invoice.paid) and its end moved on the row', async () => {
    const u = await clockCustomer();
    await u.subscribe('business');
    const ends = [(await u.row()).currentPeriodEnd as string];
    for (let i = 0; i < 2; i++) {
      const events = await u.advance();
      expect(events.filter((e) => e.type === 'invoice.paid')).toHaveLength(1);
      const row = await u.row();
      expect(row.status).toBe('active');
      expect(Date.parse(String(row.currentPeriodEnd))).toBeGreaterThan(Date.parse(ends.at(-1)!) + 27 * DAY * 1000);
      ends.push(String(row.currentPeriodEnd));
    }
    expect((await u.me()).subscription).toMatchObject({ planId: 'business', status: 'active', currentPeriodEnd: ends[2] });
  });

  it('a downgrade to a plan without a number: announced by email when scheduled, then at the period end the plan changes and the number goes back', async () => {
    const { u, line, number, periodEnd } = await numberedCustomer('business');

    // The route writes the pending change; its time is Stripe's (the clock, 60 days behind), so the
    // clock's later events are not stale.
    const down = await u.call('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'starter' });
    expect(down.body).toMatchObject({ planId: 'business', pendingChange: { planId: 'starter', effectiveAt: periodEnd } });
    expect((await u.row()).stateAt).toBeLessThan(Date.now() / 1000 - 50 * DAY);
    await stack.streams.idle();
    const announced = await waitFor('the release email', async () => (await u.mails()).find((m) => m.tags.includes('number-release')));
    expect(announced.text).toContain(number);
    expect(announced.text).toContain('Neuer Tarif: Starter');
    expect(await rowsOf(stack, u.sub, 'NUMBER_RELEASE#')).toEqual([expect.objectContaining({ number, effectiveAt: periodEnd, reason: 'downgrade', mailId: expect.any(String) })]);
    // Until the period's end the number stays.
    expect((await u.me()).assistant.phoneNumber).toEqual({ status: 'active', number });

    await u.advance();
    const row = await u.row();
    expect(row).toMatchObject({ planId: 'starter', status: 'active', pendingChange: null });
    expect(await rowOf(stack, u.sub, 'INTEGRATION#POOL')).toBeUndefined();
    expect(await poolRow(number)).toMatchObject({ status: 'free', gsi2sk: `free#${number}` });
    expect((await vapiNumbers()).find((p) => p.id === line.vapiPhoneNumberId)).toBeUndefined();
    expect((await u.me()).assistant.phoneNumber).toBeNull();
    // One email only; the downgrade's start (its phase begun, the new plan not yet on the row) took nothing back.
    expect((await u.mails()).filter((m) => m.tags.includes('number-release'))).toHaveLength(1);
    expect((await u.mails()).filter((m) => m.tags.includes('number-kept'))).toEqual([]);

    // One period later the schedule is released in the renewal's second: the period still moves on.
    const before = String(row.currentPeriodEnd);
    const events = await u.advance();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['subscription_schedule.released', 'customer.subscription.updated']));
    expect(Date.parse(String((await u.row()).currentPeriodEnd))).toBeGreaterThan(Date.parse(before));
  });

  it('a downgrade taken back before the period end: one email that the number stays; scheduled again, announced again, and released at the end', async () => {
    const { u, number, periodEnd, tagged } = await numberedCustomer('business');

    expect((await u.call('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'starter' })).status).toBe(200);
    await waitFor('the release email', async () => (await tagged('number-release')).length === 1);
    // The current plan again: the downgrade is dropped, the number stays, and the customer is told so.
    const back = await u.call('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'business' });
    expect(back.body).toMatchObject({ planId: 'business', pendingChange: null });
    await stack.streams.idle();
    const marked = await waitFor('the number kept email marked', async () => (await rowsOf(stack, u.sub, 'NUMBER_RELEASE#')).find((r) => r.keptMailId));
    expect(marked).toMatchObject({ number, effectiveAt: periodEnd, withdrawnAt: expect.any(String), mailId: expect.any(String) });
    const kept = (await tagged('number-kept'))[0]!;
    expect(kept.id).toBe(marked.keptMailId);
    expect(kept.subject).toBe('Ihre Fonella-Rufnummer bleibt Ihnen');
    expect(kept.text).toContain(`Rufnummer: ${number}`);
    // Once: the subscription's row written again (the schedule's release at Stripe) sends nothing more.
    await stack.streams.idle();
    expect(await tagged('number-kept')).toHaveLength(1);

    // Scheduled again for the same date: a new announcement, the withdrawal's marks gone with it.
    expect((await u.call('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'starter' })).status).toBe(200);
    const again = await waitFor('the second release email marked', async () => {
      const [r] = await rowsOf(stack, u.sub, 'NUMBER_RELEASE#');
      return r?.mailId && r.mailId !== marked.mailId ? r : undefined;
    });
    expect(again).toMatchObject({ number, effectiveAt: periodEnd });
    expect(again.withdrawnAt).toBeUndefined();
    expect(again.keptMailId).toBeUndefined();
    expect(await tagged('number-release')).toHaveLength(2);

    await u.advance();
    expect(await u.row()).toMatchObject({ planId: 'starter', status: 'active', pendingChange: null });
    expect(await rowOf(stack, u.sub, 'INTEGRATION#POOL')).toBeUndefined();
    expect(await poolRow(number)).toMatchObject({ status: 'free' });
    expect(await tagged('number-kept')).toHaveLength(1);
    expect(await tagged('number-release')).toHaveLength(2);
  });

  it('a cancellation at the period end undone: one email that the number stays, and the subscription renews with it', async () => {
    const { u, subscriptionId, number, tagged } = await numberedCustomer('premium', { locale: 'en' });

    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await waitFor('the release email', async () => (await tagged('number-release')).length === 1);
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
    await waitFor('the cancellation undone on the row', async () => (await u.row()).cancelAtPeriodEnd === false);
    await stack.streams.idle();
    const kept = await waitFor('the number kept email', async () => (await tagged('number-kept'))[0]);
    expect(kept.subject).toBe('Your Fonella number stays yours');
    expect(kept.text).toContain('Your Fonella subscription no longer ends with the billing period.');
    expect(kept.text).toContain(`Number: ${number}`);

    const events = await u.advance();
    expect(events.filter((e) => e.type === 'invoice.paid')).toHaveLength(1);
    expect(await u.me()).toMatchObject({ subscription: { planId: 'premium', status: 'active' }, assistant: { phoneNumber: { status: 'active', number } } });
    expect(await tagged('number-kept')).toHaveLength(1);
    expect(await tagged('number-release')).toHaveLength(1);
  });

  it('a renewal whose payment fails: past_due and one email; the next attempt after the card is fixed makes it active again', async () => {
    const u = await clockCustomer('pm_card_chargeCustomerFail');
    await u.subscribe('business');
    const events = await u.advance();
    expect(events.filter((e) => e.type === 'invoice.payment_failed')).toHaveLength(1);
    expect((await u.row()).status).toBe('past_due');
    await waitFor('the payment failed email', async () => (await u.mails()).some((m) => m.tags.includes('payment-failed')));
    expect((await u.mails()).filter((m) => m.tags.includes('payment-failed'))).toHaveLength(1);

    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: u.customerId });
    await stripe.customers.update(u.customerId, { invoice_settings: { default_payment_method: card.id } });
    const retry = await u.advance('week');
    expect(retry.filter((e) => e.type === 'invoice.paid')).toHaveLength(1);
    expect((await u.row()).status).toBe('active');
    expect((await u.mails()).filter((m) => m.tags.includes('payment-failed'))).toHaveLength(1);
  });

  it('a cancellation at the period end: the features stay until then (the number announced to go), then they are gone', async () => {
    const { u, subscriptionId, line, number } = await numberedCustomer('premium');

    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await waitFor('the cancellation on the row', async () => (await u.row()).cancelAtPeriodEnd === true);
    await stack.streams.idle();
    const announced = await waitFor('the release email', async () => (await u.mails()).find((m) => m.tags.includes('number-release')));
    expect(announced.text).toContain(number);
    expect((await u.me())).toMatchObject({ subscription: { status: 'active' }, assistant: { phoneNumber: { status: 'active', number } } });

    const events = await u.advance();
    expect(events.map((e) => e.type)).toContain('customer.subscription.deleted');
    expect(events.map((e) => e.type)).not.toContain('invoice.paid');
    expect(await u.me()).toMatchObject({ subscription: { status: 'canceled' }, assistant: { phoneNumber: null } });
    expect(await rowOf(stack, u.sub, 'INTEGRATION#POOL')).toBeUndefined();
    expect(await poolRow(number)).toMatchObject({ status: 'free' });
    expect((await vapiNumbers()).find((p) => p.id === line.vapiPhoneNumberId)).toBeUndefined();
  });

  it('an assistant set up before paying gets its number once the subscription turns active', async () => {
    await addFreePoolNumber(stack);
    const u = await clockCustomer();
    const assistant = await withAssistant(u);
    expect(assistant.phoneNumber).toBeNull();
    expect(await rowOf(stack, u.sub, 'INTEGRATION#POOL')).toBeUndefined();

    await u.subscribe('business');
    const line = await boundLine(u);
    expect(await poolRow(String(line.number))).toMatchObject({ status: 'assigned', userId: u.sub });
    expect((await u.me()).assistant.phoneNumber).toEqual({ status: 'active', number: line.number });
  });
});

describe('users waiting for a number', () => {
  /** Takes every free number out of the pool (this stack's own): each assigned to nobody's account, so an import keeps it so. */
  async function emptyPool() {
    await stack.streams.idle();
    for (const r of (await stack.scan()).filter((x) => String(x.pk).startsWith('POOL#') && x.status === 'free')) {
      await stack.table.doc.send(
        new UpdateCommand({
          TableName: stack.table.tableName,
          Key: { pk: r.pk, sk: r.sk },
          UpdateExpression: 'SET #s = :a, userId = :u, gsi2sk = :sk',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':a': 'assigned', ':u': 'auth0|parked-by-test', ':sk': `assigned#${String(r.number)}` },
        }),
      );
    }
  }

  it('a user who subscribes while the pool is empty waits, and gets the next number that becomes free', async () => {
    await emptyPool();
    const u = await clockCustomer();
    await withAssistant(u);
    await u.subscribe('business');
    await stack.streams.idle();
    expect((await u.me()).assistant.phoneNumber).toEqual({ status: 'pending' });
    expect(await rowOf(stack, u.sub, 'POOL_WAITING')).toMatchObject({ gsi1pk: 'POOL_WAITING' });

    const number = await addFreePoolNumber(stack, undefined, { keepFree: false });
    expect((await boundLine(u)).number).toBe(number);
    expect(await rowOf(stack, u.sub, 'POOL_WAITING')).toBeUndefined();
  });

  it('a number that reaches a waiting user whose downgrade to Starter is pending: its release at the period end is announced at once', async () => {
    await emptyPool();
    const u = await clockCustomer();
    await withAssistant(u);
    await u.subscribe('business');
    const down = await u.call('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'starter' });
    expect(down.body.pendingChange).toMatchObject({ planId: 'starter' });
    await stack.streams.idle();
    expect((await u.me()).assistant.phoneNumber).toEqual({ status: 'pending' });
    expect(await rowsOf(stack, u.sub, 'NUMBER_RELEASE#')).toEqual([]);

    const number = await addFreePoolNumber(stack, undefined, { keepFree: false });
    expect((await boundLine(u)).number).toBe(number);
    const release = await waitFor('the release announced and emailed', async () => (await rowsOf(stack, u.sub, 'NUMBER_RELEASE#')).find((r) => r.mailId));
    expect(release).toMatchObject({ number, effectiveAt: down.body.pendingChange.effectiveAt, reason: 'downgrade', planId: 'starter' });
    const mails = (await u.mails()).filter((m) => m.tags.includes('number-release'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(number);
  });

  it("an admin's import serves the waiting users in the order they started waiting; who no longer waits is skipped", async () => {
    await emptyPool();
    const users = [];
    for (let i = 0; i < 4; i++) {
      const u = await newUser(stack, { prefix: `wait${i}`, plan: 'business' });
      const res = await stack.call('PUT', '/v1/me/assistant', { token: u.token, body: { greeting: 'Guten Tag', language: 'de' } });
      expect(res.body.phoneNumber).toEqual({ status: 'pending' });
      users.push(u);
      await new Promise((r) => setTimeout(r, 5));
    }
    await stack.streams.idle();
    // The first no longer waits: their plan now has no number (a downgrade took effect).
    const row = (await rowOf(stack, users[0]!.sub, 'SUBSCRIPTION'))!;
    await subscriptionsRepository(stack.table).put(users[0]!.sub, { planId: 'starter', status: 'active', createdAt: String(row.createdAt), updatedAt: new Date().toISOString() });
    await stack.streams.idle();
    expect(await rowOf(stack, users[0]!.sub, 'POOL_WAITING')).toBeUndefined();

    // Two numbers on the trunk, imported by an admin.
    const numbers = ['+4921155598801', '+4921155598802'];
    for (const number of numbers) {
      const res = await fetch(`${stack.emulators.sipgate}/_numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number, endpointId: SIPGATE_LOCAL.trunkDeviceId }) });
      expect(res.status).toBe(201);
    }
    const admin = await newUser(stack, { prefix: 'admin', permissions: ['admin'] });
    const imported = await stack.call('POST', '/v1/admin/pool-numbers', { token: admin.token });
    expect(imported.body.imported).toEqual(numbers);
    await stack.streams.idle();

    const lines = await Promise.all(users.map(async (u) => (await rowOf(stack, u.sub, 'INTEGRATION#POOL'))?.number));
    expect(lines[0]).toBeUndefined();
    expect(new Set([lines[1], lines[2]])).toEqual(new Set(numbers));
    expect(lines[3]).toBeUndefined();
    expect(await rowOf(stack, users[3]!.sub, 'POOL_WAITING')).toBeDefined();
    // The hub shows who still waits.
    const hub = (await (await fetch(`${stack.hubUrl}/_inspect`)).json()) as { pool: { waiting: { id: string; since: string }[] } };
    expect(hub.pool.waiting.map((w) => w.id)).toEqual([users[3]!.sub]);
    for (const number of numbers) expect(await poolRow(number)).toMatchObject({ status: 'assigned' });
  });
});
