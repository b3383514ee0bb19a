// The typed client (clients/typescript/) drives the demo customer's main flow against a local stack,
// as the customer portal would: the profile, a subscription paid through Stripe's emulator, the
// assistant with its pool number, and a call listed after the Vapi emulator reported it. Every answer
// is typed by the OpenAPI document; a refusal comes back as `error`, typed as a problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFonellaClient, problemSlug, type FonellaClient } from '../../clients/typescript';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

let stack: TestStack;
let api: FonellaClient;
beforeAll(async () => {
  stack = await startTestStack();
  api = createFonellaClient({ baseUrl: stack.apiUrl, token: async () => stack.tokens.customer });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the typed client, as the customer portal', () => {
  it('profile, subscription, assistant setup and the calls list of the demo customer', { timeout: 60_000 }, async () => {
    const me = await api.GET('/v1/me');
    expect(me.response.status).toBe(200);
    expect(me.data?.settings).toMatchObject({ userId: 'auth0|demo-customer', email: 'customer@demo.fonella.local' });
    expect(me.data?.subscription).toBeNull();

    const updated = await api.PATCH('/v1/me/settings', { body: { timezone: 'Europe/Vienna', locale: 'en' } });
    expect(updated.data).toMatchObject({ timezone: 'Europe/Vienna', locale: 'en' });

    const subscribed = await api.POST('/v1/me/subscription', { body: { planId: 'business' } });
    expect(subscribed.response.status).toBe(201);
    expect(subscribed.data).toMatchObject({ planId: 'business', status: 'incomplete', clientSecret: expect.any(String) });
    // The portal confirms the first payment with the client secret; here Stripe's emulator does.
    const paid = await fetch(`${stack.emulators.stripe}/_simulate/payment-succeeded`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscriptionId: subscribed.data!.subscriptionId }),
    });
    expect(paid.status).toBe(200);
    await waitFor('the subscription to be active', async () => (await api.GET('/v1/me')).data?.subscription?.status === 'active');
    // A second subscription is refused: the error is the operation's problem.
    const again = await api.POST('/v1/me/subscription', { body: { planId: 'starter' } });
    expect(again.response.status).toBe(409);
    expect(problemSlug(again.error)).toBe('subscription-exists');

    const assistant = await api.PUT('/v1/me/assistant', { body: { greeting: 'Demo GmbH, good morning!', language: 'en' } });
    expect(assistant.response.status).toBe(200);
    expect(assistant.data).toMatchObject({ greeting: 'Demo GmbH, good morning!', language: 'en', phoneNumber: { status: 'connecting' } });
    const number = await waitFor('the pool number to be bound', async () => {
      const phone = (await api.GET('/v1/me')).data?.assistant?.phoneNumber;
      return phone?.status === 'active' ? phone.number : undefined;
    });
    expect(number).toMatch(/^\+49/);

    const simulated = await fetch(`${stack.emulators.vapi}/_simulate/end-of-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistantId: assistant.data!.assistantId, summary: 'A caller asked for opening hours.' }),
    });
    const { callId } = (await simulated.json()) as { callId: string };
    const calls = await waitFor('the call to be listed', async () => {
      const page = await api.GET('/v1/me/calls', { params: { query: { limit: '20' } } });
      return page.data?.items.some((c) => c.callId === callId) ? page.data : undefined;
    });
    expect(calls.items[0]).toMatchObject({ callId, summary: 'A caller asked for opening hours.' });
    const call = await api.GET('/v1/me/calls/{callId}', { params: { path: { callId } } });
    expect(call.data?.summary).toBe('A caller asked for opening hours.');
    const unknown = await api.GET('/v1/me/calls/{callId}', { params: { path: { callId: 'no-such-call' } } });
    expect(unknown.response.status).toBe(404);
  });

  it('without a token the client gets API Gateway\'s 401', async () => {
    const anonymous = createFonellaClient({ baseUrl: stack.apiUrl });
    const res = await anonymous.GET('/v1/me');
    expect(res.response.status).toBe(401);
    expect(res.data).toBeUndefined();
  });
});
