// The happy path of each route, for `npm run bench` (scripts/bench.ts), kept beside the route
// manifest: per operation id, a function that builds one request given the running local stack and
// the request's sequence number (to keep what a request creates distinct). Method and path default
// to the manifest entry's; `token` names the demo user whose token is sent (none: no authorization
// header). The answer must carry the status the manifest declares. A route without an entry here is
// listed by the bench as "no scripted request": add one with the route.
import type * as manifest from './routes';
import { DEMO_PARTNER, DEMO_PARTNER_INVITE, DEMO_USERS, type LocalStack } from './local/stack';
import { signJambonzBody } from '../shared/providers/jambonz/signature';
import { tableRef } from '../shared/db/client';
import { hashConfirmationToken, usersRepository } from '../shared/db/users';
import { apiKeysRepository } from '../shared/db/api-keys';
import { newApiKeyToken } from '../shared/crypto/api-key-tokens';

export interface BenchRequest {
  /** Defaults to the manifest entry's method. */
  method?: string;
  /** The path with its parameters filled in and any query string; defaults to the manifest entry's path. */
  path?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** The demo user whose token is sent as `Bearer`; none for public routes. */
  token?: keyof typeof DEMO_USERS;
  headers?: Record<string, string>;
  /**
   * Runs before the request, untimed (a route that ends an account needs a fresh one each time); the
   * token it answers, if any, is sent instead of `token`'s.
   */
  prepare?: (stack: LocalStack) => Promise<{ bearer?: string } | void>;
}

export type BenchRequestBuilder = (stack: LocalStack, n: number) => BenchRequest;

type RouteName = Exclude<keyof typeof manifest, 'routes'>;

export const benchRequests: Partial<Record<RouteName, BenchRequestBuilder>> = {
  // The deep check: what a monitor calls, and the path with a table round trip (`/v1/health` alone touches nothing).
  getHealth: () => ({ path: '/v1/health?deep=1' }),
  listPlans: () => ({}),
  submitContact: (_stack, n) => ({
    body: { name: 'Bench Sender', email: 'bench@example.com', company: 'Bench GmbH', message: `Bench request ${n}: please call me back.` },
  }),
  // No reCAPTCHA token: the local stack lets a missing one through, so the bench measures the form, not the emulator.
  submitSupportTicket: (_stack, n) => ({
    body: { email: 'bench@example.com', title: `Bench ticket ${n}`, content: 'The assistant does not pick up.', ticketPriority: 'major' },
  }),
  // A new number per request (the per-number daily limit is 10000 locally): each one places a call in the Vapi emulator.
  submitCallbackRequest: (_stack, n) => ({
    body: { phoneNumber: `+49170${String(1_000_000 + (n % 9_000_000)).padStart(7, '0')}`, locale: 'de', company: 'Bench GmbH', preferredWindow: 'today 14-16' },
  }),
  getMe: () => ({ token: 'customer' }),
  listCalls: () => ({ path: '/v1/me/calls?limit=20', token: 'customer' }),
  // The endpoints' listing (a creation per request would meet the account's limit of endpoints).
  listWebhooks: () => ({ token: 'customer' }),
  // With the demo customer's API key: the key's lookup, its rate counter (and, once a minute, its
  // `lastUsedAt`) beside what the portal's token costs.
  listApiKeys: () => ({ prepare: async (stack) => ({ bearer: stack.apiKeys.customer }) }),
  // A fresh account per request (ten keys at most per account).
  createApiKey: (_stack, n) => {
    const sub = `auth0|bench-create-api-key-${n}-${process.pid}`;
    return { body: { name: `Bench key ${n}`, scopes: ['calls:read'] }, prepare: async (stack) => ({ bearer: await stack.mintToken({ sub }) }) };
  },
  // A fresh account per request with one key of a known id, stored untimed; the request deletes it.
  deleteApiKey: (_stack, n) => {
    const sub = `auth0|bench-delete-api-key-${n}-${process.pid}`;
    const keyId = `bench-key-${n}-${process.pid}`;
    return {
      path: `/v1/me/api-keys/${keyId}`,
      prepare: async (stack) => {
        const { hash, prefix } = newApiKeyToken();
        const keys = apiKeysRepository(tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint }));
        await keys.create(sub, { keyId, name: 'Bench key', prefix, scopes: ['calls:read'], createdAt: new Date().toISOString(), expiresAt: null }, hash, 10);
        return { bearer: await stack.mintToken({ sub }) };
      },
    };
  },
  // A test callback's jambonz hooks for a request the bench's stack does not hold (it places callbacks
  // through Vapi): the call hook reads the row and hangs up, the status hook's conditional write finds none.
  answerCallbackCall: (stack, n) =>
    jambonzHook(stack, '/v1/webhooks/jambonz/callback/call', { call_sid: `bench-callback-${n}`, direction: 'outbound', call_status: 'in-progress', customerData: { purpose: 'callback', requestId: benchRequestId(n) } }),
  receiveCallbackCallStatus: (stack, n) =>
    jambonzHook(stack, '/v1/webhooks/jambonz/callback/status', { call_sid: `bench-callback-${n}`, direction: 'outbound', call_status: 'completed', duration: 42, customerData: { purpose: 'callback', requestId: benchRequestId(n) } }),
  // The messages Vapi sends most: acknowledged without work (an end-of-call report needs the customer's assistant).
  receiveVapiMessage: (stack) => ({
    body: { message: { type: 'status-update', status: 'in-progress', timestamp: Date.now() } },
    headers: { 'x-vapi-secret': stack.credentials.vapi!.webhookSecret! },
  }),
  // The first request creates the demo customer's assistant (and assigns a pool number); every later one updates it in Vapi.
  putAssistant: (_stack, n) => ({ method: 'PUT', token: 'customer', body: { greeting: `Guten Tag, Bench GmbH (${n}).`, language: n % 2 ? 'en' : 'de' } }),
  // One fixed device: the first request registers it, every later one is a refresh (no new row, no email).
  registerDevice: () => ({
    token: 'customer',
    body: {
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      platform: 'web',
      deviceId: 'bench-device',
    },
  }),
  updateSettings: () => ({ token: 'customer', body: { timezone: 'Europe/Berlin' } }),
  // A fresh user per request whose settings hold a pending address with a known link token (its email
  // marked sent, so the worker draws no other): the request confirms it.
  confirmEmail: (_stack, n) => {
    const sub = `auth0|bench-confirm-email-${n}-${process.pid}`;
    const token = `bench-confirmation-token-${n}-${process.pid}`;
    return {
      body: { token },
      prepare: async (stack) => {
        const now = new Date().toISOString();
        await usersRepository(tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint })).createSettingsIfMissing({
          userId: sub,
          email: 'bench-old@example.com',
          emailVerified: true,
          pendingEmail: 'bench-new@example.com',
          pendingEmailRequestedAt: now,
          pendingEmailExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          pendingEmailTokenHash: hashConfirmationToken(token),
          pendingEmailMailId: 'seeded-by-the-bench',
          name: null,
          timezone: 'Europe/Berlin',
          locale: 'de',
          role: 'owner',
          createdAt: now,
          updatedAt: now,
        });
        return { bearer: await stack.mintToken({ sub, email: 'bench-old@example.com', emailVerified: true }) };
      },
    };
  },
  // After the seeding's import: every number is in the pool, so each request reads the trunk and adds nothing.
  importPoolNumbers: () => ({ token: 'admin' }),
  listPoolNumbers: () => ({ path: '/v1/admin/pool-numbers?limit=25', token: 'admin' }),
  // After the demo's import: every hotline trunk number is in the pool, so each request adds nothing.
  importHotlineNumbers: () => ({ token: 'admin' }),
  listHotlineNumbers: () => ({ path: '/v1/admin/hotline-numbers?limit=25', token: 'admin' }),
  getStats: () => ({ path: '/v1/admin/stats', token: 'admin' }),
  listCustomers: () => ({ path: '/v1/admin/customers?limit=25', token: 'admin' }),
  invitePartner: (_stack, n) => ({ token: 'admin', body: { name: `Bench Partner ${n}`, email: `partner-${n}@example.com`, commissionPercent: 15 } }),
  listPartners: () => ({ path: '/v1/admin/partners?limit=25', token: 'admin' }),
  // The demo partner activates with its seeded invite before each request (the same user again: 200, nothing changes).
  activatePartner: () => ({ token: 'partner', body: { inviteToken: DEMO_PARTNER_INVITE } }),
  getPartner: () => ({ token: 'partner', prepare: activateDemoPartner }),
  savePayoutDetails: () => ({
    method: 'PUT',
    token: 'partner',
    prepare: activateDemoPartner,
    body: {
      payoutIban: 'DE89 3704 0044 0532 0130 00',
      payoutBic: 'COBADEFFXXX',
      payoutBankName: 'Commerzbank',
      payoutAccountHolder: 'Demo Partner',
      billingName: 'Demo Partner',
      billingStreet: 'Hauptstraße 1',
      billingZip: '10115',
      billingCity: 'Berlin',
      billingCountry: 'DE',
    },
  }),
  // The customer's referral is saved by the first request; the later ones answer it.
  saveReferral: () => ({ token: 'customer', body: { refId: DEMO_PARTNER.publicCode }, prepare: activateDemoPartner }),
  updatePartner: (_stack, n) => ({ path: `/v1/admin/partners/${DEMO_PARTNER.partnerId}`, token: 'admin', body: { commissionPercent: 10 + (n % 20) } }),
  // A fresh account per request (each is deleted), without rows: the request reads the partition and writes the record.
  deleteMe: (_stack, n) => {
    const sub = `auth0|bench-delete-me-${n}-${process.pid}`;
    return { prepare: async (stack) => ({ bearer: await stack.mintToken({ sub, email: 'bench-delete@example.com' }) }) };
  },
  // A fresh user known to Auth0 per request, deleted by the demo admin.
  deleteUser: (_stack, n) => {
    const sub = `auth0|bench-delete-user-${n}-${process.pid}`;
    return {
      path: `/v1/admin/users/${encodeURIComponent(sub)}`,
      token: 'admin',
      prepare: async (stack) => {
        await fetch(`${stack.emulators.auth0}/_users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: sub, email: 'bench-delete@example.com' }),
        });
      },
    };
  },
  // The demo admin's own record does not exist: read one the bench's deleteUser left (the first).
  getUserTeardown: () => ({ path: `/v1/admin/users/${encodeURIComponent(`auth0|bench-delete-user-0-${process.pid}`)}/teardown`, token: 'admin' }),

  // The hotlines, on the local stack's demo (lib/local/seed-hotlines.ts): organisation 1 run by the demo customer
  // (user 1) with its SIP account, the demo partner (user 2) a consenting member (an accepted invitation), hotline 1
  // active, agent phone 1.
  // Routes run in manifest order: createOrganization's requests make organisations 2.. before createSipAccount's.
  createOrganization: (_stack, n) => ({ token: 'customer', body: { name: `Bench organisation ${n}` } }),
  addOrganizationMember: (_stack, n) => ({ path: '/v1/organizations/1/members', token: 'customer', body: { userId: `auth0|bench-member-${n}` } }),
  setOrganizationAccess: () => ({ method: 'PUT', token: 'customer', body: { allow: true, organizationID: 1 } }),
  // The demo partner accepted organisation 1's invitation when seeded: accepting again answers the membership.
  acceptOrganizationInvitation: () => ({ path: '/v1/me/organization-invitations/1/accept', token: 'partner' }),
  // Organisation 2 (the first createOrganization made, run by the customer) invites the demo partner, untimed; the request declines.
  declineOrganizationInvitation: () => ({
    path: '/v1/me/organization-invitations/2/decline',
    token: 'partner',
    prepare: async (stack) => {
      await fetch(`${stack.apiUrl}/v1/organizations/2/members`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.customer}` },
        body: JSON.stringify({ userId: DEMO_USERS.partner.sub }),
      });
    },
  }),
  createSipAccount: (_stack, n) => ({
    token: 'customer',
    body: { city: 'Aachen', cityCode: '0241', country: 'DE', name: `Bench organisation ${n}`, organizationID: n + 2, street: 'Bench Str.', streetHousenumber: 1 },
  }),
  checkSipAccount: () => ({ path: '/v1/organizations/1/sip-account', token: 'customer' }),
  createAgentPhone: (_stack, n) => ({ token: 'customer', body: { isActive: false, name: `Bench phone ${n}`, phone: `+4915112${String(n).padStart(6, '0')}`, userID: 1 } }),
  listAgentPhones: () => ({ path: '/v1/agent-phones?owner_id=1', token: 'customer' }),
  updateAgentPhone: () => ({ method: 'PUT', path: '/v1/agent-phones/1', token: 'customer', body: { isActive: true, name: 'Desk', phone: '+4924155660', userID: 1 } }),
  createHotline: (_stack, n) => ({ token: 'customer', body: { agents: [1], isActive: true, name: `Bench line ${n}`, organizationID: 1, ttsInbound: 'Bench line.' } }),
  listHotlines: () => ({ path: '/v1/hotlines?organization_id=1&limit=10', token: 'customer' }),
  getHotline: () => ({ path: '/v1/hotlines/1', token: 'customer' }),
  updateHotline: () => ({
    method: 'PUT',
    path: '/v1/hotlines/1',
    token: 'customer',
    body: { agents: [1], isActive: true, name: 'Demo night line', organizationID: 1, ttsInbound: 'You have reached the demo night line of the fire brigade. Please hold.', ttsOutbound: 'Incoming call from the demo night line.' },
  }),
  // A new call per request (its log starts), then its end (its one record).
  answerHotlineCall: (stack, n) => jambonzHook(stack, '/v1/webhooks/jambonz/hotlines/1/call', { call_sid: `bench-call-${n}`, direction: 'inbound', from: '+4917012345678', to: '+492415550001', call_status: 'trying' }),
  receiveHotlineCallStatus: (stack, n) =>
    jambonzHook(stack, '/v1/webhooks/jambonz/hotlines/1/status', { call_sid: `bench-call-${n}`, direction: 'inbound', from: '+4917012345678', to: '+492415550001', call_status: 'completed', duration: 90 }),
  listCallLogs: () => ({ path: '/v1/hotlines/1/call-logs?limit=10', token: 'customer' }),
  getCallLog: () => ({ path: '/v1/hotlines/1/call-logs/1', token: 'customer' }),
  listHotlineRecords: () => ({ path: '/v1/hotlines/1/records?limit=10', token: 'customer' }),
};

/** The demo partner's activation, untimed before a partner route's request (idempotent). */
async function activateDemoPartner(stack: LocalStack): Promise<void> {
  await fetch(`${stack.apiUrl}/v1/partner/activate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.partner}` },
    body: JSON.stringify({ inviteToken: DEMO_PARTNER_INVITE }),
  });
}

/** A callback request id of the route's shape (a UUID) that no row has. */
const benchRequestId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A request to a hotline or callback hook as jambonz sends it: JSON, signed with the account's webhook secret. */
function jambonzHook(stack: LocalStack, path: string, body: Record<string, unknown>): BenchRequest {
  return { path, body, headers: { 'jambonz-signature': signJambonzBody(JSON.stringify(body), stack.credentials.jambonz!.webhookSecret!) } };
}
