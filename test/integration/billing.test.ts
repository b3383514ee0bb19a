// Billing through the local API, the real `stripe` SDK and the Stripe emulator: subscribing (once,
// however often the button is pressed), plan changes now and at the period's end, and the webhook:
// signatures, each event type, duplicates and events out of order.
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { planPricesConfig } from '../../shared/config/plans';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { subscriptionKey, subscriptionsRepository, type SubscriptionRow } from '../../shared/db/subscriptions';
import { expectUnchanged, settle } from '../support/state';
import { firstUpdateGoesWrong } from '../support/late-answer';
import { workerStack, waitFor, type TestStack } from '../support/stack';
import { newUser, partition, rowOf, rowsOf, type PlanId } from '../support/users';

let stack: TestStack;
let stripe: Stripe;
beforeAll(async () => {
  stack = await workerStack();
  const url = new URL(stack.emulators.stripe!);
  stripe = new Stripe(stack.credentials.stripe!.secretKey!, { host: url.hostname, port: Number(url.port), protocol: 'http' });
});

interface StripeState {
  customers: { id: string; metadata: Record<string, string> }[];
  subscriptions: { id: string; customer: string; status: string; schedule: string | null; items: { data: { price: { id: string } }[] } }[];
  subscriptionSchedules: { id: string; status: string; subscription: string | null; released_subscription: string | null }[];
}
const emulator = () => stack.inspect<StripeState>('stripe');
const prices = () => planPricesConfig();

/** A user with a token; `subscription` writes their subscription row first (through the repository). */
async function user(subscription?: Partial<SubscriptionRow>) {
  const { sub, token } = await newUser(stack, { prefix: 'billing', name: 'Billing Tester', subscription });
  return {
    sub,
    token,
    subscribe: (planId: unknown) => stack.call('POST', '/v1/me/subscription', { token, body: { planId } }),
    change: (targetPlanId: unknown) => stack.call('POST', '/v1/me/subscription/plan-change', { token, body: { targetPlanId } }),
    me: async () => (await stack.call('GET', '/v1/me', { token })).body,
    row: async () => rowOf(stack, sub, 'SUBSCRIPTION'),
    /** The portal's payment confirmation (the first invoice paid, the emulator's stand-in for Stripe Elements); Stripe's events then make the row active. */
    async pay(subscriptionId: string) {
      const s = await stripe.subscriptions.retrieve(subscriptionId);
      await stripe.invoices.pay(String(s.latest_invoice), { paid_out_of_band: true });
      await waitFor('the subscription active', async () => (await this.row())?.status === 'active');
    },
  };
}

/** A webhook delivery as Stripe makes it: the event JSON and its signature, made with the SDK's own helper. */
function post(event: Record<string, unknown>, opts: { secret?: string; timestamp?: number; tamper?: boolean } = {}) {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? stack.credentials.stripe!.webhookSecret!,
    timestamp: opts.timestamp,
  });
  return stack.call('POST', '/v1/webhooks/stripe', {
    rawBody: opts.tamper ? payload.replace('"status"', '"Status"') : payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}

const event = (type: string, object: Record<string, unknown>, created: number) => ({
  id: `evt_${randomUUID().replaceAll('-', '')}`,
  object: 'event',
  api_version: '2026-10-28.endive',
  created,
  type,
  data: { object },
  livemode: false,
});

/** A user whose stored subscription the emulator does not know: events about it are only the test's. */
async function subscribed(planId: PlanId = 'business') {
  const customer = `cus_${randomUUID().slice(0, 12)}`;
  const subscription = `sub_${randomUUID().slice(0, 12)}`;
  const u = await user({
    planId,
    status: 'incomplete',
    stripeCustomerId: customer,
    stripeSubscriptionId: subscription,
    currentPeriodEnd: new Date().toISOString(),
    stateAt: 1,
    stateRank: 0,
  });
  const subObject = (status: string, plan: PlanId = planId, periodEnd = 1_900_000_000) => ({
    id: subscription,
    object: 'subscription',
    customer,
    status,
    schedule: null,
    items: { data: [{ price: { id: prices()[plan] }, current_period_end: periodEnd }] },
  });
  return { ...u, customer, subscription, subObject };
}

describe('POST /v1/me/subscription', () => {
  it('creates the customer and an incomplete subscription for the plan\'s price, and answers what the portal confirms with', async () => {
    const u = await user();
    const res = await u.subscribe('business');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ planId: 'business', status: 'incomplete', subscriptionId: expect.stringMatching(/^sub_/), clientSecret: expect.any(String) });

    const s = await emulator();
    const customers = s.customers.filter((c) => c.metadata.userId === u.sub);
    expect(customers).toHaveLength(1);
    const subs = s.subscriptions.filter((x) => x.customer === customers[0]!.id);
    expect(subs.map((x) => x.id)).toEqual([res.body.subscriptionId]);
    expect(subs[0]!.items.data[0]!.price.id).toBe(prices().business);

    expect(await u.row()).toMatchObject({ planId: 'business', stripeCustomerId: customers[0]!.id, stripeSubscriptionId: res.body.subscriptionId, gsi1pk: `STRIPE#${customers[0]!.id}` });
    expect((await u.me()).subscription).toMatchObject({ planId: 'business', pendingChange: null });
  });

  it('a second subscribe → 409 subscription-exists, nothing new at Stripe', async () => {
    const u = await user();
    expect((await u.subscribe('starter')).status).toBe(201);
    const before = (await emulator()).subscriptions.length;
    const again = await u.subscribe('premium');
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:fonella:problem:subscription-exists');
    expect((await emulator()).subscriptions).toHaveLength(before);
  });

  it('a double click (three requests at once) creates one customer and one subscription', async () => {
    const u = await user();
    const answers = await Promise.all([0, 1, 2].map(() => u.subscribe('business')));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(2);
    const s = await emulator();
    const customers = s.customers.filter((c) => c.metadata.userId === u.sub);
    expect(customers).toHaveLength(1);
    expect(s.subscriptions.filter((x) => x.customer === customers[0]!.id)).toHaveLength(1);
  });

  it.each([['an unknown plan', 'gold'], ['no plan', undefined], ['a number', 2]])('%s → 400, nothing stored or created', async (_what, planId) => {
    const u = await user();
    const before = await settle(stack);
    expect((await u.subscribe(planId)).status).toBe(400);
    await expectUnchanged(stack, before, 'invalid subscribe');
  });

  it("a write the table applied but answered too late is retried by the table client: the claim's and the completion's retries pass and change nothing", async () => {
    const u = await user();
    const subscriptions = subscriptionsRepository(stack.table);
    const claim = { claimId: randomUUID(), planId: 'business' as const, attempt: 1, now: new Date() };
    expect(await subscriptions.claim(u.sub, claim)).toBe(true);
    const claimed = await u.row();
    expect(await subscriptions.claim(u.sub, claim), 'the same claim again').toBe(true);
    expect(await u.row()).toEqual(claimed);
    expect(await subscriptions.claim(u.sub, { ...claim, claimId: randomUUID() }), "another request's claim").toBe(false);

    const created = { subscriptionId: `sub_${randomUUID().slice(0, 8)}`, status: 'incomplete', currentPeriodEnd: '2027-01-07T00:00:00.000Z', at: 1_765_000_000, now: new Date().toISOString() };
    await subscriptions.complete(u.sub, claim.claimId, created);
    const completed = await u.row();
    expect(completed).toMatchObject({ stripeSubscriptionId: created.subscriptionId, status: 'incomplete' });
    expect(completed).not.toHaveProperty('claimId');
    await subscriptions.complete(u.sub, claim.claimId, created);
    expect(await u.row()).toEqual(completed);
    // Another subscription under a claim that is gone is still refused.
    await expect(subscriptions.complete(u.sub, claim.claimId, { ...created, subscriptionId: 'sub_other' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('a Stripe failure → 502 and the claim is given back: the next request subscribes', async () => {
    const u = await user();
    // Every attempt of the create call fails (the adapter tries three times).
    await stack.fault('stripe', { mode: 'error', count: 3, match: '/v1/subscriptions' });
    expect((await u.subscribe('starter')).status).toBe(502);
    const retry = await u.subscribe('starter');
    expect(retry.status).toBe(201);
  });
});

describe('POST /v1/me/subscription/plan-change', () => {
  it('an upgrade takes effect now; a downgrade is scheduled for the period end; a later upgrade releases it', async () => {
    const u = await user();
    const created = await u.subscribe('starter');
    await u.pay(created.body.subscriptionId);

    const up = await u.change('business');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ planId: 'business', pendingChange: null });
    let s = (await emulator()).subscriptions.find((x) => x.id === created.body.subscriptionId)!;
    expect(s.items.data[0]!.price.id).toBe(prices().business);

    const down = await u.change('starter');
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ planId: 'business', pendingChange: { planId: 'starter', effectiveAt: expect.any(String) } });
    s = (await emulator()).subscriptions.find((x) => x.id === created.body.subscriptionId)!;
    expect(s.schedule).toMatch(/^sub_sched_/);
    expect(s.items.data[0]!.price.id).toBe(prices().business);
    expect((await u.me()).subscription.pendingChange).toMatchObject({ planId: 'starter' });

    const upAgain = await u.change('premium');
    expect(upAgain.body).toMatchObject({ planId: 'premium', pendingChange: null });
    const state = await emulator();
    s = state.subscriptions.find((x) => x.id === created.body.subscriptionId)!;
    expect(s.schedule).toBeNull();
    expect(s.items.data[0]!.price.id).toBe(prices().premium);
    expect(state.subscriptionSchedules.find((x) => x.released_subscription === s.id)?.status).toBe('released');
  });

  it("an upgrade's own event that arrives after the downgrade scheduled next does not clear the pending change", async () => {
    // What Stripe sends for the upgrade (the subscription, no schedule) may be delivered after the
    // downgrade's schedule is stored; it is older than the schedule, so it is stale.
    const u = await user();
    const subscriptions = subscriptionsRepository(stack.table);
    const sub = `sub_${randomUUID().slice(0, 8)}`;
    const claim = { claimId: randomUUID(), planId: 'starter' as const, attempt: 1, now: new Date() };
    await subscriptions.claim(u.sub, claim);
    await subscriptions.complete(u.sub, claim.claimId, { subscriptionId: sub, status: 'active', currentPeriodEnd: '2027-01-07T00:00:00.000Z', at: 1_765_000_000, now: new Date().toISOString() });
    await subscriptions.setPlan(u.sub, sub, { planId: 'business', pendingChange: null, now: new Date().toISOString() });
    const pendingChange = { planId: 'starter' as const, effectiveAt: '2027-01-07T00:00:00.000Z', scheduleId: 'sub_sched_1' };
    await subscriptions.setPlan(u.sub, sub, { pendingChange, now: new Date().toISOString(), stripeAt: new Date(1_765_000_100_000) });
    const upgradeEvent = (eventId: string, created: number) =>
      subscriptions.applyEvent(u.sub, { eventId, created, rank: 1, subscriptionId: sub, state: { status: 'active', planId: 'business', pendingChange: null }, now: new Date() });
    expect(await upgradeEvent(`evt_${randomUUID()}`, 1_765_000_099), 'an event of an earlier second').toBe('stale');
    expect(await upgradeEvent(`evt_${randomUUID()}`, 1_765_000_100), 'an event of the same second').toBe('stale');
    expect((await u.row())?.pendingChange).toEqual(pendingChange);
    // Stripe's later events apply: a release after the schedule clears it.
    expect(await upgradeEvent(`evt_${randomUUID()}`, 1_765_000_101)).toBe('applied');
    expect((await u.row())?.pendingChange).toBeNull();
    // A state stored from an event later than the change's Stripe time keeps that time.
    await subscriptions.setPlan(u.sub, sub, { pendingChange, now: new Date().toISOString(), stripeAt: new Date(1_765_000_050_000) });
    expect(await u.row()).toMatchObject({ pendingChange, stateAt: 1_765_000_101 });

    // The dated write applied, its answer lost, and a later event stored before the client's retry:
    // the retry fails its time condition (the table client answers that as the table unavailable),
    // and the change is written with the stored time kept.
    let laterEvent = false;
    const t = firstUpdateGoesWrong(stack, 'late', async () => {
      laterEvent = true;
      await stack.table.doc.send(new UpdateCommand({ TableName: stack.table.tableName, Key: subscriptionKey(u.sub), UpdateExpression: 'SET stateAt = :later', ExpressionAttributeValues: { ':later': 1_765_000_300 } }));
    });
    const downgrade = { planId: 'starter' as const, effectiveAt: '2027-02-07T00:00:00.000Z', scheduleId: 'sub_sched_2' };
    await subscriptionsRepository(t).setPlan(u.sub, sub, { pendingChange: downgrade, now: new Date().toISOString(), stripeAt: new Date(1_765_000_200_000) });
    expect(laterEvent, 'the late answer happened').toBe(true);
    expect(await u.row()).toMatchObject({ pendingChange: downgrade, stateAt: 1_765_000_300 });
  });

  it('asking for the current plan cancels a pending downgrade; without one it is 409 same-plan', async () => {
    const u = await user();
    const created = await u.subscribe('premium');
    await u.pay(created.body.subscriptionId);
    const same = await u.change('premium');
    expect(same.status).toBe(409);
    expect(same.body.type).toBe('urn:fonella:problem:same-plan');
    await u.change('starter');
    const keep = await u.change('premium');
    expect(keep.body).toMatchObject({ planId: 'premium', pendingChange: null });
  });

  it('before the first payment → 409 payment-pending, nothing changed at Stripe', async () => {
    const u = await user();
    const created = await u.subscribe('starter');
    const res = await u.change('premium');
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:payment-pending');
    const s = (await emulator()).subscriptions.find((x) => x.id === created.body.subscriptionId)!;
    expect(s.items.data[0]!.price.id).toBe(prices().starter);
  });

  it('without a subscription → 409 no-subscription', async () => {
    const u = await user();
    const res = await u.change('premium');
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:fonella:problem:no-subscription');
  });
});

describe('POST /v1/webhooks/stripe', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('a valid event is applied; a wrong secret, an expired timestamp or a tampered body → 400 and nothing stored', async () => {
    const u = await subscribed();
    const e = event('customer.subscription.updated', u.subObject('active'), now());
    const before = await settle(stack);
    for (const bad of [{ secret: 'whsec_wrong' }, { timestamp: now() - 3600 }, { tamper: true }]) {
      const res = await post(e, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:webhook-signature');
    }
    await expectUnchanged(stack, before, 'bad signatures');
    const ok = await post(e);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ received: true, outcome: 'applied' });
    expect(await u.row()).toMatchObject({ status: 'active' });
  });

  it('each event type keeps the row in step', async () => {
    const u = await subscribed('business');
    const t = now();
    await post(event('customer.subscription.created', u.subObject('incomplete'), t - 50));
    expect((await u.row())!.status).toBe('incomplete');
    await post(event('invoice.paid', { id: 'in_1', object: 'invoice', customer: u.customer, parent: { subscription_details: { subscription: u.subscription } } }, t - 40));
    expect((await u.row())!.status).toBe('active');
    await post(event('customer.subscription.updated', u.subObject('active', 'premium', 1_950_000_000), t - 30));
    expect(await u.row()).toMatchObject({ planId: 'premium', currentPeriodEnd: new Date(1_950_000_000 * 1000).toISOString() });
    const schedule = { id: 'sub_sched_1', object: 'subscription_schedule', customer: u.customer, subscription: u.subscription, phases: [{ start_date: t, items: [{ price: prices().premium }] }, { start_date: 1_950_000_000, items: [{ price: prices().starter }] }] };
    await post(event('subscription_schedule.updated', schedule, t - 20));
    expect((await u.me()).subscription.pendingChange).toEqual({ planId: 'starter', effectiveAt: new Date(1_950_000_000 * 1000).toISOString() });
    await post(event('subscription_schedule.released', { ...schedule, subscription: null, released_subscription: u.subscription }, t - 15));
    expect((await u.me()).subscription.pendingChange).toBeNull();
    await post(event('subscription_schedule.updated', schedule, t - 14));
    await post(event('subscription_schedule.canceled', schedule, t - 13));
    expect((await u.row())!.pendingChange).toBeNull();
    await post(event('subscription_schedule.updated', schedule, t - 12));
    await post(event('subscription_schedule.completed', schedule, t - 11));
    expect((await u.row())!.pendingChange).toBeNull();
    const failed = await post(event('invoice.payment_failed', { id: `in_${randomUUID().slice(0, 8)}`, object: 'invoice', customer: u.customer, amount_due: 7900, currency: 'eur', parent: { subscription_details: { subscription: u.subscription } } }, t - 10));
    expect(failed.body.outcome).toBe('applied');
    expect((await u.row())!.status).toBe('past_due');
    expect(await rowsOf(stack, u.sub, 'PAYMENT_FAILED#')).toHaveLength(1);
    await post(event('customer.subscription.deleted', u.subObject('canceled'), t - 5));
    expect(await u.row()).toMatchObject({ status: 'canceled', pendingChange: null });
  });

  it('a schedule whose downgrade phase has started leaves nothing pending; a cancellation at the period end is kept', async () => {
    const u = await subscribed('business');
    const t = now();
    const phases = [{ start_date: t - 3600, end_date: t, items: [{ price: prices().business }] }, { start_date: t, items: [{ price: prices().starter }] }];
    const schedule = { id: 'sub_sched_2', object: 'subscription_schedule', customer: u.customer, subscription: u.subscription, phases, current_phase: { start_date: t - 3600, end_date: t } };
    await post(event('subscription_schedule.updated', schedule, t - 60));
    expect((await u.row())!.pendingChange).toMatchObject({ planId: 'starter', effectiveAt: new Date(t * 1000).toISOString() });
    // The phase change, at its start: the starter phase is the current one, nothing is pending any more.
    await post(event('subscription_schedule.updated', { ...schedule, current_phase: { start_date: t, end_date: null } }, t));
    expect((await u.row())!.pendingChange).toBeNull();
    await post(event('customer.subscription.updated', { ...u.subObject('active', 'starter'), cancel_at_period_end: true }, t + 1));
    expect(await u.row()).toMatchObject({ planId: 'starter', cancelAtPeriodEnd: true });
  });

  it('a renewal in the second of a schedule\'s release still moves the period on', async () => {
    const u = await subscribed('business');
    const t = now();
    await post(event('customer.subscription.updated', u.subObject('active', 'business', 1_900_000_000), t - 10));
    const schedule = { id: 'sub_sched_3', object: 'subscription_schedule', customer: u.customer, subscription: null, released_subscription: u.subscription, phases: [] };
    expect((await post(event('subscription_schedule.released', schedule, t))).body.outcome).toBe('applied');
    // Ranked below the release in the same second, but of a newer period: its period end is applied.
    expect((await post(event('customer.subscription.updated', u.subObject('active', 'business', 1_902_000_000), t))).body.outcome).toBe('applied');
    expect((await u.row())!.currentPeriodEnd).toBe(new Date(1_902_000_000 * 1000).toISOString());
    // The same period again in that second: stale.
    expect((await post(event('customer.subscription.updated', u.subObject('past_due', 'business', 1_902_000_000), t))).body.outcome).toBe('stale');
    expect((await u.row())!.status).toBe('active');
  });

  it('the same event twice is applied once', async () => {
    const u = await subscribed();
    const e = event('invoice.payment_failed', { id: 'in_twice', object: 'invoice', customer: u.customer, amount_due: 2900, currency: 'eur', parent: { subscription_details: { subscription: u.subscription } } }, now());
    expect((await post(e)).body.outcome).toBe('applied');
    expect((await post(e)).body.outcome).toBe('duplicate');
    expect(await partition(stack, `STRIPE_EVENT#${e.id}`)).toHaveLength(1);
    expect(await rowsOf(stack, u.sub, 'PAYMENT_FAILED#')).toHaveLength(1);
  });

  it('`created` arriving after `updated` leaves the later state', async () => {
    const u = await subscribed();
    const t = now();
    const created = event('customer.subscription.created', u.subObject('incomplete'), t);
    const updated = event('customer.subscription.updated', u.subObject('active'), t);
    expect((await post(updated)).body.outcome).toBe('applied');
    expect((await post(created)).body.outcome).toBe('stale');
    expect((await u.row())!.status).toBe('active');
    // And an older `updated` after a newer one: also stale.
    expect((await post(event('customer.subscription.updated', u.subObject('past_due'), t - 60))).body.outcome).toBe('stale');
    expect((await u.row())!.status).toBe('active');
  });

  it('`deleted`, then a stale `updated`: stays canceled', async () => {
    const u = await subscribed();
    const t = now();
    await post(event('customer.subscription.deleted', u.subObject('canceled'), t));
    expect((await post(event('customer.subscription.updated', u.subObject('active'), t))).body.outcome).toBe('stale');
    expect((await post(event('customer.subscription.updated', u.subObject('active'), t + 5))).body.outcome).toBe('stale');
    expect((await u.row())!.status).toBe('canceled');
  });

  it('an unknown event type, or a customer we do not know → 200 and ignored, nothing stored', async () => {
    const u = await subscribed();
    const before = await settle(stack);
    expect((await post(event('charge.refunded', { id: 'ch_1', customer: u.customer }, now()))).body).toEqual({ received: true, outcome: 'ignored' });
    expect((await post(event('customer.subscription.updated', { ...u.subObject('active'), customer: 'cus_unknown' }, now()))).body).toEqual({ received: true, outcome: 'ignored' });
    await expectUnchanged(stack, before, 'ignored events');
  });

  it('events the emulator delivers itself bring a paid subscription to active', async () => {
    const u = await user();
    const created = await u.subscribe('starter');
    await u.pay(created.body.subscriptionId);
    expect((await u.me()).subscription).toMatchObject({ planId: 'starter', status: 'active' });
  });
});
