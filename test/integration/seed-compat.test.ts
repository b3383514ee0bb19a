// The existing clients' requests: every example body of the product documents this backend replaces
// (the customer, partner, admin and public API, and the hotline API), with realistic values in place of
// `"string"`, sent with the right credential through the local API. Each must get past validation: the
// answer is the route's success, or a refusal for the state it meets (a call that does not exist, an
// invite nobody sent), never 400 `validation`, `unexpected-body` or `malformed-json`. A later change that
// refuses an existing client's body again fails here.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { recaptchaToken } from '../support/recaptcha';
import { uniqueAreaCode } from '../support/hotline-numbers';
import { PAYOUT, seedActivePartner } from '../support/partners';
import { workerStack, type TestStack } from '../support/stack';
import { newUser } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const REFUSED_BEFORE_ANY_LOGIC = ['validation', 'unexpected-body', 'malformed-json', 'unsupported-media-type', 'payload-too-large'].map(
  (slug) => `urn:fonella:problem:${slug}`,
);

/** Sends the body and checks it passed validation, with one of the `expected` statuses. */
async function send(method: string, path: string, body: unknown, opts: { token?: string; headers?: Record<string, string>; expected: number[] }) {
  const res = await stack.call(method, path, { token: opts.token, body, headers: opts.headers });
  const label = `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`;
  expect(REFUSED_BEFORE_ANY_LOGIC, label).not.toContain(res.body?.type);
  expect(opts.expected, label).toContain(res.status);
  return res;
}

describe('the public, customer, partner and admin API: the example bodies', () => {
  it('POST /v1/public/callback-requests', async () => {
    await send(
      'POST',
      '/v1/public/callback-requests',
      {
        phoneNumber: '+491701234567',
        locale: 'de',
        company: 'Fonella GmbH',
        preferredWindow: 'Today 14:00-16:00',
        notes: 'Please call via office line.',
        recaptchaToken: recaptchaToken('callback_request'),
      },
      { expected: [202] },
    );
  });

  it('POST /v1/public/contact, without a reCAPTCHA token as the example has none', async () => {
    await send('POST', '/v1/public/contact', { name: 'Max Mustermann', email: 'max@example.com', company: 'Fonella GmbH', message: 'I would like to book a demo.' }, { expected: [202] });
  });

  it('POST /v1/public/support-tickets', async () => {
    const body = { email: 'user@example.com', title: 'No calls since this morning', content: 'The assistant has not answered since 9:00.', ticketPriority: 'trivial', recaptchaToken: recaptchaToken('support_ticket') };
    await send('POST', '/v1/public/support-tickets', body, { expected: [201] });
  });

  it("POST /v1/webhooks/vapi, the provider's sample report (no call, no assistant): acknowledged", async () => {
    const res = await send('POST', '/v1/webhooks/vapi', { message: { type: 'end-of-call-report' } }, { headers: { 'x-vapi-secret': stack.credentials.vapi!.webhookSecret! }, expected: [200] });
    expect(res.body).toEqual({});
  });

  it('the customer portal: devices, subscription, plan change, settings, call report, assistant, integrations, referral', async () => {
    const u = await newUser(stack, { prefix: 'seed', settings: {} });
    const token = u.token;
    await send('POST', '/v1/me/devices', {}, { token, expected: [200] });
    await send('POST', '/v1/me/subscription', { planId: 'business' }, { token, expected: [201] });
    // The subscription waits for its first payment: a plan change is refused for that state, not for its body.
    await send('POST', '/v1/me/subscription/plan-change', { targetPlanId: 'premium' }, { token, expected: [200, 202, 409] });
    await send('PATCH', '/v1/me/settings', { name: 'Max Mustermann', email: 'max@fonella.ai', timezone: 'Europe/Berlin' }, { token, expected: [200] });
    await send('POST', '/v1/me/call-reports', { callId: randomUUID(), startedAt: '2019-08-24T14:15:22Z', description: 'The assistant gave the wrong opening hours.', locale: 'de' }, { token, expected: [404] });
    const integration = {
      mode: 'sipgate',
      phoneNumber: '+4921155501010',
      alias: 'Office line',
      gateway: 'sip.example.com',
      authUsername: 'office',
      authPassword: 'not-used-in-this-mode',
      port: 5060,
      inboundEnabled: true,
    };
    // Before the assistant exists: refused for that state alone (nothing is made at any provider).
    await send('POST', '/v1/me/integrations', integration, { token, expected: [409] });
    await send('PUT', '/v1/me/assistant', { greeting: 'Hello, this is Fonella.', language: 'de' }, { token, expected: [200] });
    const partner = await seedActivePartner(stack);
    await send('POST', '/v1/me/referral', { refId: partner.publicCode }, { token, expected: [200, 201] });
  });

  it('DELETE /v1/me with the example body `{}`', async () => {
    const u = await newUser(stack, { prefix: 'seed-delete', settings: {} });
    await send('DELETE', '/v1/me', {}, { token: u.token, expected: [202] });
  });

  it('the partner portal and the admin dashboard', async () => {
    const partner = await seedActivePartner(stack);
    const admin = await stack.mintToken({ sub: `auth0|seed-admin-${randomUUID()}`, permissions: ['admin'] });
    await send('PATCH', `/v1/admin/partners/${partner.partnerId}`, { commissionPercent: 0, status: 'active' }, { token: admin, expected: [200] });
    // An invite token nobody was sent: refused for what it names, after validation.
    await send('POST', '/v1/partner/activate', { inviteToken: 'q5Jx0vR2mK8wT3yZ7bN1cD4fG6hJ9kL2pS5uV8xA0eC' }, { token: partner.token, expected: [400, 409, 410] });
    await send('PUT', '/v1/partner/payout-details', PAYOUT, { token: partner.token, expected: [200] });
  });
});

describe('the hotline API: the example bodies, with the `id` and `status` generated clients send', () => {
  let token = '';
  let organizationID = 0;
  let userID = 0;

  beforeAll(async () => {
    const u = await newUser(stack, { prefix: 'seed-hotline', email: null });
    token = u.token;
    organizationID = (await stack.call('POST', '/v1/organizations', { token, body: { name: 'Fire brigade Aachen' } })).body.id;
    userID = (await stack.call('GET', '/v1/me', { token })).body.hotlines.userID;
  });

  it('POST /v1/organizations/sip-account: { exists: true }, and the same again', async () => {
    // The seed's body, in an area code of this file's own: its hotline takes no other file's number.
    const body = { city: 'Aachen', cityCode: `0${uniqueAreaCode()}`, country: 'DE', name: 'Fire brigade Aachen', organizationID, street: 'Stolberger Str.', streetHousenumber: 155 };
    expect((await send('POST', '/v1/organizations/sip-account', body, { token, expected: [201] })).body).toEqual({ exists: true });
    expect((await send('POST', '/v1/organizations/sip-account', body, { token, expected: [200] })).body).toEqual({ exists: true });
  });

  it('agent phones: created with `id: 0`, updated with the id of the path (or 0); another id is refused', async () => {
    const created = await send('POST', '/v1/agent-phones', { id: 0, isActive: true, name: 'Duty phone', phone: '004924155660', userID }, { token, expected: [201] });
    const id = created.body.id as number;
    expect(id).toBeGreaterThan(0);
    await send('PUT', `/v1/agent-phones/${id}`, { id, isActive: false, name: 'Duty phone', phone: '004924155660', userID }, { token, expected: [200] });
    await send('PUT', `/v1/agent-phones/${id}`, { id: 0, isActive: true, name: 'Duty phone', phone: '004924155660', userID }, { token, expected: [200] });
    const other = await stack.call('PUT', `/v1/agent-phones/${id}`, { token, body: { id: id + 1, isActive: true, name: 'Duty phone', phone: '004924155660', userID } });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([expect.objectContaining({ path: 'body.id' })]);
  });

  it('hotlines: created with `id` and `status`, which the service sets itself; updated with the id of the path', async () => {
    const body = {
      agents: [userID],
      channelsInbound: 10,
      channelsOutbound: 10,
      id: 0,
      isActive: true,
      name: 'Night line',
      organizationID,
      status: 'active',
      ttsInbound: 'You have reached the night line.',
      ttsOutbound: 'Emergency call from the night line.',
    };
    const created = await send('POST', '/v1/hotlines', body, { token, expected: [201] });
    expect(created.body.status).toBe('created');
    const id = created.body.id as number;
    const updated = await send('PUT', `/v1/hotlines/${id}`, { ...body, id, status: 'paused', name: 'Night and weekend line' }, { token, expected: [200] });
    expect(updated.body).toMatchObject({ id, name: 'Night and weekend line' });
    expect(updated.body.status).not.toBe('paused');
    const other = await stack.call('PUT', `/v1/hotlines/${id}`, { token, body: { ...body, id: id + 1 } });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([expect.objectContaining({ path: 'body.id' })]);
  });
});
