// Webhooks to customers, through the local API, the stream workers, the SQS emulator and its queue
// worker, to a receiver on this machine, on a stack of this file's own: its queue's clock is moved here
// (time passes for the retry schedule without waiting), the endpoint limit is set low, and one name is
// pointed at a private address (LOCAL_HOST_ADDRESSES) for the check at every attempt. Signatures are
// verified with the `standardwebhooks` package, as a customer's receiver would.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSubscriptionsRepository } from '../../shared/db/webhook-subscriptions';
import { newSigningSecret } from '../../shared/crypto/signing-secrets';
import { startTestStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser, rowsOf, type TestUser } from '../support/users';
import { advanceQueue, settleWebhooks, startReceiver, type Receiver } from '../support/webhook-receiver';

const LIMIT = 3;
const ENV = {
  WEBHOOK_ENDPOINTS_PER_USER: String(LIMIT),
  // A public-looking name that resolves to a private address: refused at every attempt.
  LOCAL_HOST_ADDRESSES: JSON.stringify({ 'rebound.example.net': ['10.0.0.1'], 'hooks.example.com': ['192.0.2.10'] }),
};

let stack: TestStack;
let receiver: Receiver;
beforeAll(async () => {
  // Before the stack: a handler reads its configuration at its cold start.
  Object.assign(process.env, ENV);
  stack = await startTestStack();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

const problem = (slug: string) => `urn:fonella:problem:${slug}`;
const call = (u: TestUser, method: string, path: string, body?: unknown) => stack.call(method, path, { token: u.token, body });

async function endpoint(u: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(u, 'POST', '/v1/me/webhooks', { url: receiver.url, eventTypes: ['call.ended'], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; url: string };
}

/** The requests the receiver got for one message id, in order. */
const messages = (id: string) => receiver.requests.filter((r) => r.headers['webhook-id'] === id);
const verify = (secret: string, r: { body: string; headers: Record<string, unknown> }) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };

async function deliveries(u: TestUser, id: string) {
  const res = await call(u, 'GET', `/v1/me/webhooks/${id}/deliveries`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; eventType: string; status: string; attempts: number; lastStatus: number | null; lastError: string | null; nextAttemptAt: string | null; log: { attempt: number; at: string; status: number | null; trigger: string; error: string | null }[] }[];
}

async function testEvent(u: TestUser, id: string): Promise<string> {
  const res = await call(u, 'POST', `/v1/me/webhooks/${id}/test`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await settleWebhooks(stack);
  return res.body.eventId as string;
}

describe('endpoints', () => {
  it('create, list, get, patch and delete; the secret is answered on creation only; another account sees none of it', async () => {
    const u = await newUser(stack, { prefix: 'wh-crud' });
    const created = await endpoint(u, { description: 'CRM', eventTypes: ['call.ended', 'assistant.updated'] });
    expect(created).toMatchObject({ url: receiver.url, eventTypes: ['call.ended', 'assistant.updated'], description: 'CRM', enabled: true, failingSince: null, disabledAt: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.id).toMatch(/^wh_[A-Za-z0-9_-]{16}$/);

    const list = await call(u, 'GET', '/v1/me/webhooks');
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    expect(list.body.items[0].secretHint).toBe(`whsec_…${created.secret.slice(-4)}`);
    const got = await call(u, 'GET', `/v1/me/webhooks/${created.id}`);
    expect(got.body).toEqual(list.body.items[0]);

    const patched = await call(u, 'PATCH', `/v1/me/webhooks/${created.id}`, { description: null, eventTypes: ['subscription.updated'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ description: null, eventTypes: ['subscription.updated'], url: receiver.url });

    const other = await newUser(stack, { prefix: 'wh-other' });
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/test'], ['GET', '/deliveries'], ['POST', '/rotate-secret']] as const) {
      const res = await call(other, method, `/v1/me/webhooks/${created.id}${path}`, method === 'PATCH' ? { enabled: false } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call(other, 'GET', '/v1/me/webhooks')).body.items).toEqual([]);

    expect((await call(u, 'DELETE', `/v1/me/webhooks/${created.id}`)).status).toBe(204);
    expect((await call(u, 'GET', `/v1/me/webhooks/${created.id}`)).status).toBe(404);
    expect((await call(u, 'DELETE', `/v1/me/webhooks/${created.id}`)).status).toBe(404);
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local address/],
    ['https://10.0.0.1/hook', /10\.0\.0\.1 is a private address/],
    ['https://localhost/hook', /localhost is a loopback name/],
    ['http://localhost:8080/hook', /must use https/],
    ['https://rebound.example.net/hook', /resolves to 10\.0\.0\.1, a private address/],
    ['https://hooks.example.com/hook', /resolves to 192\.0\.2\.10, a documentation address/],
    ['http://93.184.215.14/hook', /must use https/],
    ['https://user:secret@rebound.example.net/hook', /user name or password/],
  ])('refuses %s at creation and at a change, and stores nothing', async (url, reason) => {
    const u = await newUser(stack, { prefix: 'wh-ssrf' });
    const before = await settle(stack);
    const res = await call(u, 'POST', '/v1/me/webhooks', { url, eventTypes: ['call.ended'] });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(problem('webhook-url-refused'));
    expect(res.body.errors).toEqual([{ path: 'body.url', message: expect.stringMatching(reason) }]);
    await expectUnchanged(stack, before, url);
    const ok = await endpoint(u);
    const change = await call(u, 'PATCH', `/v1/me/webhooks/${ok.id}`, { url });
    expect(change.status).toBe(400);
    expect((await call(u, 'GET', `/v1/me/webhooks/${ok.id}`)).body.url).toBe(receiver.url);
  });

  it(`takes ${LIMIT} endpoints per account; the next is 409 quota-webhooks until one is deleted`, async () => {
    const u = await newUser(stack, { prefix: 'wh-limit' });
    const made = [];
    for (let i = 0; i < LIMIT; i++) made.push(await endpoint(u));
    const over = await call(u, 'POST', '/v1/me/webhooks', { url: receiver.url, eventTypes: ['call.ended'] });
    expect(over.status).toBe(409);
    expect(over.body.type).toBe(problem('quota-webhooks'));
    expect(await rowsOf(stack, u.sub, 'WEBHOOK#')).toHaveLength(LIMIT);
    expect((await call(u, 'DELETE', `/v1/me/webhooks/${made[0]!.id}`)).status).toBe(204);
    await endpoint(u);
  });
});

describe('deliveries', () => {
  it('call.ended reaches the receiver after a simulated end of call, signed (verified by standardwebhooks), and the log shows it', async () => {
    const u = await newUser(stack, { prefix: 'wh-call', assistant: {} });
    const hook = await endpoint(u);
    const started = Date.now();
    const sim = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistantId: u.assistantId, customerNumber: '+4915112345678', summary: 'A caller asked for the opening hours.' }),
    });
    expect(sim.status).toBe(200);
    const { callId } = (await sim.json()) as { callId: string };
    await settleWebhooks(stack);
    const got = receiver.requests.filter((r) => r.body.includes(callId));
    expect(got).toHaveLength(1);
    const payload = verify(hook.secret, got[0]!);
    expect(payload.type).toBe('call.ended');
    expect(payload.data).toMatchObject({ callId, assistantId: u.assistantId, from: '+4915112345678', summary: 'A caller asked for the opening hours.' });
    expect(payload.data.portalUrl).toMatch(new RegExp(`/calls/${callId}$`));
    expect(got[0]!.headers['content-type']).toBe('application/json');
    // The time from the simulated call's end to the first delivery, on this stack (reported, not asserted).
    console.warn(`call.ended: first delivery ${got[0]!.at - started} ms after the simulated end of call`);

    const log = await deliveries(u, hook.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: got[0]!.headers['webhook-id'], eventType: 'call.ended', status: 'succeeded', attempts: 1, lastStatus: 200, nextAttemptAt: null });

    // A second call, with every handler warm: the figure the README gives.
    const warmStart = Date.now();
    const second = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assistantId: u.assistantId }) });
    const { callId: secondId } = (await second.json()) as { callId: string };
    await settleWebhooks(stack);
    const warm = receiver.requests.filter((r) => r.body.includes(secondId));
    expect(warm).toHaveLength(1);
    console.warn(`call.ended (warm): first delivery ${warm[0]!.at - warmStart} ms after the simulated end of call`);
    expect(await deliveries(u, hook.id)).toHaveLength(2);
  });

  it('an endpoint not subscribed to an event type gets none of it; a test event reaches it whatever its types', async () => {
    const u = await newUser(stack, { prefix: 'wh-types', assistant: {} });
    const hook = await endpoint(u, { eventTypes: ['subscription.updated'] });
    const before = receiver.requests.length;
    await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assistantId: u.assistantId }) });
    await settleWebhooks(stack);
    expect(receiver.requests.length).toBe(before);
    expect(await rowsOf(stack, u.sub, 'WHEVENT#')).toEqual([]);
    const id = await testEvent(u, hook.id);
    expect(verify(hook.secret, messages(id)[0]!)).toMatchObject({ type: 'webhook.test', data: { webhookId: hook.id } });
  });

  it('a receiver that fails twice gets the same webhook-id a third time, 5 s and 5 min later; the log shows three attempts', async () => {
    const u = await newUser(stack, { prefix: 'wh-retry' });
    const hook = await endpoint(u);
    receiver.answer(500, 503);
    const id = await testEvent(u, hook.id);
    expect(messages(id)).toHaveLength(1);
    let [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    // Due 5 s after the first attempt ended.
    expect(Date.parse(d!.nextAttemptAt!) - Date.parse(d!.log[0]!.at)).toBeGreaterThanOrEqual(5000);
    expect(Date.parse(d!.nextAttemptAt!) - Date.parse(d!.log[0]!.at)).toBeLessThan(6000);
    expect((await call(u, 'GET', `/v1/me/webhooks/${hook.id}`)).body.failingSince).not.toBeNull();

    await advanceQueue(stack, 4);
    expect(messages(id)).toHaveLength(1);
    await advanceQueue(stack, 1);
    expect(messages(id)).toHaveLength(2);
    await advanceQueue(stack, 299);
    expect(messages(id)).toHaveLength(2);
    await advanceQueue(stack, 1);
    const got = messages(id);
    expect(got).toHaveLength(3);
    for (const r of got) expect(verify(hook.secret, r).type).toBe('webhook.test');
    [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ id, status: 'succeeded', attempts: 3, lastStatus: 200, nextAttemptAt: null });
    expect(d!.log.map((a) => [a.attempt, a.status])).toEqual([[1, 500], [2, 503], [3, 200]]);
    // A success clears the endpoint's failing time.
    expect((await call(u, 'GET', `/v1/me/webhooks/${hook.id}`)).body.failingSince).toBeNull();
  });

  it('a delivery failing every attempt is failed after the eighth (gaps over 15 minutes sent on in parts)', async () => {
    const u = await newUser(stack, { prefix: 'wh-fail' });
    const hook = await endpoint(u);
    receiver.answer(...Array<number>(8).fill(500));
    const id = await testEvent(u, hook.id);
    // 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; the clock moves in steps of 15 minutes, so a message
    // due inside a step is sent on at its end: a few steps more let the last legs come.
    await advanceQueue(stack, 5 + 300 + 1_800 + 7_200 + 18_000 + 36_000 + 36_000);
    for (let extra = 0; messages(id).length < 8 && extra < 40; extra++) await advanceQueue(stack, 900);
    expect(messages(id)).toHaveLength(8);
    const [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 8, lastStatus: 500, nextAttemptAt: null });
    await advanceQueue(stack, 36_000);
    expect(messages(id)).toHaveLength(8);
    // About 110 moves of the clock (a 10 h gap is 40 messages of 15 minutes), each waiting for the workers.
  }, 120_000);

  it('retry sends one delivery again now, with its webhook-id', async () => {
    const u = await newUser(stack, { prefix: 'wh-resend' });
    const hook = await endpoint(u);
    const id = await testEvent(u, hook.id);
    const res = await call(u, 'POST', `/v1/me/webhooks/${hook.id}/deliveries/${id}/retry`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ id, status: 'pending', attempts: 1 });
    await settleWebhooks(stack);
    expect(messages(id)).toHaveLength(2);
    const [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(d!.log.map((a) => a.trigger)).toEqual(['event', 'retry']);
    expect((await call(u, 'POST', `/v1/me/webhooks/${hook.id}/deliveries/msg_000000000${'0'.repeat(20)}/retry`)).status).toBe(404);
  });

  it('recover resends what failed since a time, once the endpoint is back', async () => {
    const u = await newUser(stack, { prefix: 'wh-recover' });
    const hook = await endpoint(u);
    const since = new Date(Date.now() - 60_000).toISOString();
    receiver.answer(500);
    const id = await testEvent(u, hook.id);
    // The endpoint is disabled before the retry: the delivery fails without another attempt.
    expect((await call(u, 'PATCH', `/v1/me/webhooks/${hook.id}`, { enabled: false })).status).toBe(200);
    await advanceQueue(stack, 5);
    let [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await call(u, 'POST', `/v1/me/webhooks/${hook.id}/recover`, { since })).body.type).toBe(problem('webhook-disabled'));

    expect((await call(u, 'PATCH', `/v1/me/webhooks/${hook.id}`, { enabled: true })).status).toBe(200);
    const res = await call(u, 'POST', `/v1/me/webhooks/${hook.id}/recover`, { since });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ since, status: 'running' });
    await settleWebhooks(stack);
    expect(messages(id)).toHaveLength(2);
    [d] = await deliveries(u, hook.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(d!.log.map((a) => [a.trigger, a.status])).toEqual([['event', 500], ['recover', 200]]);
    // What did not fail is not sent again.
    expect((await call(u, 'POST', `/v1/me/webhooks/${hook.id}/recover`, { since })).status).toBe(202);
    await settleWebhooks(stack);
    expect(messages(id)).toHaveLength(2);
    expect((await call(u, 'POST', `/v1/me/webhooks/${hook.id}/recover`, { since: new Date(Date.now() + 60_000).toISOString() })).body.type).toBe(problem('recover-since-invalid'));
  });

  it('rotating the secret: both signatures for 24 hours, each verified by standardwebhooks', async () => {
    const u = await newUser(stack, { prefix: 'wh-rotate' });
    const hook = await endpoint(u);
    const rotated = await call(u, 'POST', `/v1/me/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect((await call(u, 'GET', `/v1/me/webhooks/${hook.id}`)).body.previousSecretExpiresAt).toBe(rotated.body.previousSecretExpiresAt);
    const [r] = messages(await testEvent(u, hook.id));
    expect(String(r!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(hook.secret, r!).type).toBe('webhook.test');
    expect(verify(rotated.body.secret, r!).type).toBe('webhook.test');
    expect(() => verify(newSigningSecret(), r!)).toThrow();
  });

  it('refuses, at the attempt, a name that now resolves to a private address: no request, the log says why', async () => {
    const u = await newUser(stack, { prefix: 'wh-rebind' });
    // Stored as if the name had resolved to a public address when the endpoint was made.
    const now = new Date().toISOString();
    const secret = newSigningSecret();
    await webhookSubscriptionsRepository(stack.table).create(u.sub, { subscriptionId: 'wh_rebind0000000000', url: 'https://rebound.example.net/hook', eventTypes: ['call.ended'], enabled: true, description: null, secret, createdAt: now, updatedAt: now }, LIMIT);
    const id = await testEvent(u, 'wh_rebind0000000000');
    const [d] = await deliveries(u, 'wh_rebind0000000000');
    expect(d).toMatchObject({ id, status: 'pending', attempts: 1, lastStatus: null });
    expect(d!.lastError).toMatch(/^refused: rebound\.example\.net resolves to 10\.0\.0\.1, a private address/);
  });

  it('an endpoint failing for 5 days is disabled at its next failure, and its owner gets one email', async () => {
    const u = await newUser(stack, { prefix: 'wh-disable', settings: {} });
    const hook = await endpoint(u);
    receiver.answer(500, 500);
    const first = await testEvent(u, hook.id);
    expect(messages(first)).toHaveLength(1);
    // Failing for five days (the first failure moved back): the next failure disables it.
    const repo = webhookSubscriptionsRepository(stack.table);
    await repo.clearFailing(u.sub, hook.id);
    await repo.markFailing(u.sub, hook.id, new Date(Date.now() - 5 * 86_400_000 - 60_000).toISOString());
    await advanceQueue(stack, 5);
    expect(messages(first)).toHaveLength(2);
    const got = (await call(u, 'GET', `/v1/me/webhooks/${hook.id}`)).body;
    expect(got).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^every attempt failed since/) });
    await settleWebhooks(stack);
    const mails = (await stack.mails()).filter((m) => m.to.includes(u.email!) && m.tags.includes('webhook-disabled'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(receiver.url);
    // Nothing more goes to it, and no second email.
    await advanceQueue(stack, 300);
    expect(messages(first)).toHaveLength(2);
    expect((await call(u, 'POST', `/v1/me/webhooks/${hook.id}/test`)).status).toBe(409);
    expect((await stack.mails()).filter((m) => m.to.includes(u.email!) && m.tags.includes('webhook-disabled'))).toHaveLength(1);
  });
});

describe('teardown', () => {
  it("an account's deletion removes its endpoints, events and deliveries, and its queued retries send nothing", async () => {
    const u = await newUser(stack, { prefix: 'wh-teardown', settings: {} });
    const hook = await endpoint(u);
    receiver.answer(500);
    const id = await testEvent(u, hook.id);
    expect(messages(id)).toHaveLength(1);
    expect((await rowsOf(stack, u.sub)).filter((r) => /^(WEBHOOK#|WHEVENT#|WHDELIVERY#|QUOTA#webhooks)/.test(String(r.sk)))).toHaveLength(4);
    const queued = async () => ((await stack.inspect<{ messages: { body: { userId?: string } }[] }>('sqs')).messages ?? []).filter((m) => m.body.userId === u.sub);
    expect(await queued()).toHaveLength(1);

    expect((await call(u, 'DELETE', '/v1/me')).status).toBe(202);
    await settleWebhooks(stack);
    await settle(stack);
    expect((await rowsOf(stack, u.sub)).filter((r) => r.sk !== 'TEARDOWN')).toEqual([]);
    // The retry's message comes, finds nothing, and goes.
    await advanceQueue(stack, 5);
    expect(messages(id)).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });
});
