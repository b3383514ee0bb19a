// The route manifest: every endpoint of the API, once. The CDK stack (one function per entry), the
// local API server and the OpenAPI generator read `routes`; a handler imports only its own entry,
// so its bundle holds only its own schemas (package.json `sideEffects` lets esbuild drop the rest).
// The key is the operation id; the handler lives at functions/<caller>/<verb-noun>.ts.
//
// Entries must stay free of side effects for esbuild to drop the ones a bundle does not use: plain
// literals (`32_768`, not `32 * 1024`; no template with an imported value), and calls only when marked
// `/* @__PURE__ */` with literal arguments. test/infra/bundles.test.ts checks that each bundle holds
// no other route's path.
import type { RecaptchaAction } from '../shared/domain/recaptcha-actions';
import { RATE_LIMITED, RECAPTCHA_REFUSALS } from '../shared/errors';
import type { RouteDef } from '../shared/http/route-def';
import { INVALID_CURSOR } from '../shared/db/cursor';
import { ListPoolNumbersQuery, PoolImportResult, PoolNumberPage } from '../shared/schemas/admin';
import { Assistant, AssistantSetup } from '../shared/schemas/assistant';
import { PlanChangeRequest, Subscription, SubscriptionCreated, SubscriptionRequest, WebhookReceived } from '../shared/schemas/billing';
import { Call, CallListQuery, CallPage, CallPath, VapiAck, VapiServerMessage } from '../shared/schemas/calls';
import { CallReportAccepted, CallReportRequest } from '../shared/schemas/calls-report';
import { Profile, Settings } from '../shared/schemas/me';
import { Integration, IntegrationRequest, RemoveIntegrationsQuery } from '../shared/schemas/integrations';
import { SettingsUpdate } from '../shared/schemas/settings';
import { DEVICE_INFO_MAX_BYTES, DeviceRegistered, DeviceRegistration } from '../shared/schemas/devices';
import {
  CallbackAccepted,
  CallbackRequest,
  ContactAccepted,
  ContactRequest,
  HealthQuery,
  HealthResponse,
  PlansResponse,
  SupportTicketCreated,
  SupportTicketRequest,
} from '../shared/schemas/public';

// --- public: the marketing site ---------------------------------------------------------------

/** What the public forms answer themselves: their reCAPTCHA check (403) and their rate limit (429). */
const publicFormErrors = (form: string, action: RecaptchaAction): NonNullable<RouteDef['errors']> => [
  {
    status: 403,
    slugs: Object.keys(RECAPTCHA_REFUSALS).map((reason) => `recaptcha-${reason}`),
    description: `Forbidden: the reCAPTCHA v3 check failed; nothing was stored. \`recaptcha-missing\`: no \`recaptchaToken\` (required on deployed stages). \`recaptcha-failed\`: Google did not verify the token (invalid, expired or already used: mint a new one for each request, retries included). \`recaptcha-action-mismatch\`: the token was minted for another action than \`${action}\`. \`recaptcha-low-score\`: the score is below the configured threshold.`,
  },
  {
    status: 429,
    slugs: [RATE_LIMITED],
    description: `\`${RATE_LIMITED}\`: this client address sent the ${form} more often this hour than its limit allows; nothing was stored. Retry after \`Retry-After\` seconds, when the hour's window ends.`,
    retryAfter: 'Seconds until the rate-limit window ends.',
  },
];

/** The test callback's: as the forms', its 429 also counting the calls to one number per day. */
const callbackErrors = (): NonNullable<RouteDef['errors']> =>
  publicFormErrors('test callback', 'callback_request').map((e) =>
    e.status === 429
      ? {
          ...e,
          description: `\`${RATE_LIMITED}\`: this client address asked for more test callbacks this hour, or this number got more today, than the limits allow; nothing was stored and nobody was called. Retry after \`Retry-After\` seconds, when the window ends.`,
        }
      : e,
  );

export const getHealth = {
  name: 'getHealth',
  method: 'GET',
  path: '/v1/health',
  handler: 'functions/public/get-health.ts',
  access: 'public',
  summary: 'Service health',
  description:
    'Answers 200 with the service name, stage and server time while the API runs; for monitors and the marketing site. With `deep=1` it also reads the table once (bounded by a short timeout) and lists the checks; a monitor or status page should call that.',
  tags: ['public'],
  request: { query: HealthQuery },
  response: { status: 200, body: HealthResponse, description: 'The service answers (and, with `deep`, every check passed).' },
  errors: [
    {
      status: 503,
      slugs: ['unhealthy'],
      description: 'Service unavailable. `unhealthy`: with `deep`, a check failed; `detail` names it (`table`) and how (no answer in time, or an error).',
    },
  ],
  // Read for the deep check only: the shallow one touches nothing.
  uses: { table: 'read' },
} satisfies RouteDef;

export const listPlans = {
  name: 'listPlans',
  method: 'GET',
  path: '/v1/public/plans',
  handler: 'functions/public/list-plans.ts',
  access: 'public',
  summary: 'The plans Fonella sells',
  description: 'The three plans with their monthly price, currency, included minutes and features, from configuration.',
  tags: ['public'],
  response: { status: 200, body: PlansResponse, description: 'The three plans.' },
  uses: {},
} satisfies RouteDef;

export const submitContact = {
  name: 'submitContact',
  method: 'POST',
  path: '/v1/public/contact',
  handler: 'functions/public/submit-contact.ts',
  access: 'public',
  summary: 'Contact form',
  description:
    'Checks the reCAPTCHA v3 token (action `contact`) and the client address\'s hourly limit, stores the message and answers; a stream worker then emails it to the sales inbox with the sender as reply-to, retrying until Mailgun takes it.',
  tags: ['public'],
  request: { body: ContactRequest, maxBodyBytes: 32_768 },
  response: { status: 202, body: ContactAccepted, description: 'Stored; the team is notified.' },
  errors: /* @__PURE__ */ publicFormErrors('contact form', 'contact'),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha'] },
} satisfies RouteDef;

export const submitSupportTicket = {
  name: 'submitSupportTicket',
  method: 'POST',
  path: '/v1/public/support-tickets',
  handler: 'functions/public/submit-support-ticket.ts',
  access: 'public',
  summary: 'Support ticket',
  description:
    'Checks the reCAPTCHA v3 token (action `support_ticket`) and the client address\'s hourly limit, stores the ticket under a new number and answers with it. A stream worker then emails the ticket to the support inbox (priority in the subject, the sender as reply-to) and a confirmation to the sender, in German or English after the request\'s `Accept-Language` (German by default).',
  tags: ['public'],
  request: { body: SupportTicketRequest, maxBodyBytes: 49_152 },
  response: { status: 201, body: SupportTicketCreated, description: 'Stored under the number answered; the support team and the sender are emailed.' },
  errors: /* @__PURE__ */ publicFormErrors('support ticket form', 'support_ticket'),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha'] },
} satisfies RouteDef;

export const submitCallbackRequest = {
  name: 'submitCallbackRequest',
  method: 'POST',
  path: '/v1/public/callback-requests',
  handler: 'functions/public/submit-callback-request.ts',
  access: 'public',
  summary: 'Test callback',
  description:
    'The marketing site\'s test callback: checks the reCAPTCHA v3 token (action `callback_request`), the client address\'s hourly limit and the number\'s daily limit, stores the request and has the configured provider (Vapi, fonial or jambonz) call the number with the locale\'s assistant and caller ID, passing company, preferred window and notes to the call. The number must be a mobile or landline number (E.164, or German without `+`); premium-rate, shared-cost and short numbers are refused.',
  tags: ['public'],
  request: { body: CallbackRequest, maxBodyBytes: 24_576 },
  response: { status: 202, body: CallbackAccepted, description: 'Stored; the provider is calling the number.' },
  errors: /* @__PURE__ */ callbackErrors(),
  idempotent: true,
  uses: { table: 'write', providers: ['recaptcha', 'vapi', 'fonial', 'jambonz'] },
} satisfies RouteDef;

// --- me: the customer portal ------------------------------------------------------------------

export const getMe = {
  name: 'getMe',
  method: 'GET',
  path: '/v1/me',
  handler: 'functions/me/get-me.ts',
  access: 'user',
  summary: "The caller's profile",
  description: 'Settings, subscription, assistant, integrations and referral. The first call creates the settings from the token.',
  tags: ['me'],
  response: { status: 200, body: Profile, description: "The caller's profile." },
  uses: { table: 'write' },
} satisfies RouteDef;

export const updateSettings = {
  name: 'updateSettings',
  method: 'PATCH',
  path: '/v1/me/settings',
  handler: 'functions/me/update-settings.ts',
  access: 'user',
  summary: "Change the caller's settings",
  description:
    "Changes the fields given (name, email, time zone, email language) on the caller's own settings and answers them as stored; fields left out keep their value. At least one field; none may be null. A caller without settings yet (no `GET /v1/me` before) gets them created, with the token's email and name, `Europe/Berlin` and German wherever the request names nothing.",
  tags: ['me'],
  request: { body: SettingsUpdate },
  response: { status: 200, body: Settings, description: 'The settings as stored now.' },
  uses: { table: 'write' },
} satisfies RouteDef;

export const putAssistant = {
  name: 'putAssistant',
  method: 'PUT',
  path: '/v1/me/assistant',
  handler: 'functions/me/put-assistant.ts',
  access: 'user',
  summary: "Create or update the caller's assistant",
  description:
    "The first call creates the caller's voice assistant in Vapi (greeting as its first message; speech recognition, voice and prompt by language) and, when the caller's plan includes a number, assigns a free number from Fonella's pool, which is then bound to the assistant (`phoneNumber.status` goes from `connecting` to `active`). With no free number the assistant is still created and `phoneNumber.status` is `pending`; a later call tries again. Later calls update the same assistant.",
  tags: ['me'],
  request: { body: AssistantSetup, maxBodyBytes: 8_192 },
  response: { status: 200, body: Assistant, description: 'The assistant as stored, with its number.' },
  errors: [
    {
      status: 409,
      slugs: ['assistant-being-created'],
      description: '`assistant-being-created`: another request of the same user is creating the assistant right now; nothing was created twice. Retry in a moment.',
    },
  ],
  uses: { table: 'write', providers: ['vapi'] },
} satisfies RouteDef;

export const reportCall = {
  name: 'reportCall',
  method: 'POST',
  path: '/v1/me/call-reports',
  handler: 'functions/me/report-call.ts',
  access: 'user',
  summary: 'Report a call for review',
  description:
    "Reports one of the caller's calls for review (Microsoft Store policy 11.16: users can report AI-generated content): the call by its id and start, as `GET /v1/me/calls` answers them, and what is wrong with it. The report is stored under a new id and a stream worker emails it to Fonella's review team with a link to the call. Reporting a call again files another report. `locale` is the language the report is written in (without it, the caller's email language, else `Accept-Language`).",
  tags: ['me'],
  request: { body: CallReportRequest, maxBodyBytes: 16_384 },
  response: { status: 202, body: CallReportAccepted, description: 'Stored; the review team is emailed.' },
  errors: [
    {
      status: 400,
      slugs: ['call-start-mismatch'],
      description: "`call-start-mismatch`: `startedAt` is not the start of the call named by `callId` (`errors` names `body.startedAt`); nothing was stored.",
    },
    {
      status: 404,
      slugs: ['call-not-found'],
      description: '`call-not-found`: no call of the caller has this id (another user\'s call is answered the same way); nothing was stored.',
    },
  ],
  idempotent: true,
  uses: { table: 'write' },
} satisfies RouteDef;

export const registerDevice = {
  name: 'registerDevice',
  method: 'POST',
  path: '/v1/me/devices',
  handler: 'functions/me/register-device.ts',
  access: 'user',
  summary: 'Register or refresh a device session',
  description:
    "Called after sign-in with the device's information: `userAgent`, `platform`, optionally `appVersion`, `pushToken` and the client's own `deviceId`; other fields are accepted and dropped. The device's id is derived from the client's `deviceId` when given (hashed), else from user agent and platform, so the same device keeps its id. A device not seen before is stored (`isNew: true`) and, when the account already had another device, the user gets a new-sign-in email in their language; a known device is refreshed (last seen, app version, push token) and nothing is sent. The push token is stored, never answered.",
  tags: ['me'],
  request: { body: DeviceRegistration, maxBodyBytes: DEVICE_INFO_MAX_BYTES },
  response: { status: 200, body: DeviceRegistered, description: "The device's id, and whether this request created its session." },
  uses: { table: 'write' },
} satisfies RouteDef;

// --- admin: the admin dashboard ---------------------------------------------------------------

export const importPoolNumbers = {
  name: 'importPoolNumbers',
  method: 'POST',
  path: '/v1/admin/pool-numbers',
  handler: 'functions/admin/import-pool-numbers.ts',
  access: 'admin',
  summary: "Import the trunk's numbers into the pool",
  description:
    "Reads the numbers of Fonella's Sipgate account and stores each one routed to the shared trunk device as a free pool number, unless the pool has it already: numbers routed elsewhere are not imported, and a number in the pool is left as it is (an assigned number stays assigned). Safe to repeat: a second import adds only numbers new on the trunk. Takes no body.",
  tags: ['admin'],
  response: { status: 200, body: PoolImportResult, description: 'The numbers added now, and how many the pool had already.' },
  uses: { table: 'write', providers: ['sipgate'] },
} satisfies RouteDef;

export const listPoolNumbers = {
  name: 'listPoolNumbers',
  method: 'GET',
  path: '/v1/admin/pool-numbers',
  handler: 'functions/admin/list-pool-numbers.ts',
  access: 'admin',
  summary: 'The pool numbers and their assignment',
  description:
    'The pool numbers, a page at a time: each with its status, and the customer it is assigned to and since when. Assigned numbers come before free ones, each in number order; `status` lists one of the two. Pass `nextCursor` back as `cursor` for the next page, with the same `status`.',
  tags: ['admin'],
  request: { query: ListPoolNumbersQuery },
  response: { status: 200, body: PoolNumberPage, description: 'One page of pool numbers.' },
  errors: [
    {
      status: 400,
      slugs: [INVALID_CURSOR],
      // Literal text, not the constant: a template with an import would keep this entry in every bundle.
      description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered (for this `status`); start again without one.',
    },
  ],
  uses: { table: 'read' },
} satisfies RouteDef;

export const createSubscription = {
  name: 'createSubscription',
  method: 'POST',
  path: '/v1/me/subscription',
  handler: 'functions/me/create-subscription.ts',
  access: 'user',
  summary: 'Subscribe to a plan',
  description:
    "Creates the caller's Stripe customer (once per user) and a subscription for the plan's price, `incomplete` until the portal confirms the first payment with `clientSecret` (Stripe's Payment Element); Stripe's webhook then makes it `active`. A repeated or concurrent request creates one customer and one subscription.",
  tags: ['me'],
  request: { body: SubscriptionRequest, maxBodyBytes: 1_024 },
  response: { status: 201, body: SubscriptionCreated, description: 'Created at Stripe and stored; confirm the payment with `clientSecret`.' },
  errors: [
    {
      status: 409,
      slugs: ['subscription-exists'],
      description: '`subscription-exists`: the caller has a subscription that is not over (active, past due or incomplete), or another request is creating one; nothing was created.',
    },
  ],
  uses: { table: 'write', providers: ['stripe'] },
} satisfies RouteDef;

export const changePlan = {
  name: 'changePlan',
  method: 'POST',
  path: '/v1/me/subscription/plan-change',
  handler: 'functions/me/change-plan.ts',
  access: 'user',
  summary: "Change the subscription's plan",
  description:
    'An upgrade (a higher monthly price) takes effect now, the difference prorated, and drops a pending downgrade; a downgrade is scheduled for the end of the current period and shows as `pendingChange`. Asking for the current plan while a downgrade is pending cancels the downgrade.',
  tags: ['me'],
  request: { body: PlanChangeRequest, maxBodyBytes: 1_024 },
  response: { status: 200, body: Subscription, description: 'The subscription with its plan and any pending change.' },
  errors: [
    {
      status: 409,
      slugs: ['no-subscription', 'payment-pending', 'same-plan'],
      description: '`no-subscription`: the caller has no subscription that runs. `payment-pending`: the subscription waits for its first payment (`incomplete`); confirm it first. `same-plan`: the subscription is on that plan already and nothing is pending.',
    },
  ],
  uses: { table: 'write', providers: ['stripe'] },
} satisfies RouteDef;

export const receiveStripeEvent = {
  name: 'receiveStripeEvent',
  method: 'POST',
  path: '/v1/webhooks/stripe',
  handler: 'functions/webhooks/receive-stripe-event.ts',
  access: 'stripe',
  summary: 'Stripe webhook',
  description:
    "Stripe's events about subscriptions, invoices and subscription schedules keep the caller's subscription in step. The `Stripe-Signature` header is checked against the exact body (five minutes' tolerance). Each event is applied once, and never over a newer state (events arrive late, twice or out of order). A failed payment marks the subscription past due and emails the customer once per invoice. Events of other types, or for customers Fonella does not know, are acknowledged and ignored.",
  tags: ['webhooks'],
  request: { raw: true, maxBodyBytes: 524_288 },
  response: { status: 200, body: WebhookReceived, description: 'Received: applied, a duplicate, older than the state stored, or ignored.' },
  errors: [
    {
      status: 400,
      slugs: ['webhook-signature'],
      description: '`webhook-signature`: no `Stripe-Signature`, or one that does not match the body with the endpoint secret, or older than five minutes; nothing was stored.',
    },
  ],
  uses: { table: 'write', providers: ['stripe'] },
} satisfies RouteDef;

export const listCalls = {
  name: 'listCalls',
  method: 'GET',
  path: '/v1/me/calls',
  handler: 'functions/me/list-calls.ts',
  access: 'user',
  summary: "The caller's calls",
  description: 'The calls the caller\'s assistant took, newest first, a page at a time: caller, times, duration, summary, transcript, recording. Pass `nextCursor` back as `cursor` for the next page.',
  tags: ['me'],
  request: { query: CallListQuery },
  response: { status: 200, body: CallPage, description: 'One page of calls.' },
  errors: [{ status: 400, slugs: [INVALID_CURSOR], description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered; start again without one.' }],
  uses: { table: 'read' },
} satisfies RouteDef;

export const getCall = {
  name: 'getCall',
  method: 'GET',
  path: '/v1/me/calls/{callId}',
  handler: 'functions/me/get-call.ts',
  access: 'user',
  summary: 'One of the caller\'s calls',
  description: 'The call by its id: where the summary email\'s link leads. Another user\'s call is answered as if it did not exist.',
  tags: ['me'],
  request: { params: CallPath },
  response: { status: 200, body: Call, description: 'The call.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: no call of the caller has this id.' }],
  uses: { table: 'read' },
} satisfies RouteDef;

export const receiveVapiMessage = {
  name: 'receiveVapiMessage',
  method: 'POST',
  path: '/v1/webhooks/vapi',
  handler: 'functions/webhooks/receive-vapi-message.ts',
  access: 'vapi',
  summary: 'Vapi webhook (the assistants\' server URL)',
  description:
    "Vapi's server messages; the `X-Vapi-Secret` header must be the one the assistants are created with. An `end-of-call-report` is stored as the call of the assistant's owner, once (a report delivered again writes nothing); a stream worker then emails the owner the summary with a link to the call. Every other message type is acknowledged without work; a report for an assistant Fonella does not know is acknowledged and logged.",
  tags: ['webhooks'],
  request: { body: VapiServerMessage, maxBodyBytes: 1_048_576 },
  response: { status: 200, body: VapiAck, description: 'Received.' },
  uses: { table: 'write' },
} satisfies RouteDef;

export const addIntegration = {
  name: 'addIntegration',
  method: 'POST',
  path: '/v1/me/integrations',
  handler: 'functions/me/add-integration.ts',
  access: 'user',
  summary: 'Connect a phone line to the assistant',
  description:
    "`mode: sipgate`: a number of Fonella's Sipgate account (one ringing no other line) gets a SIP device of its own at Sipgate, is routed to it, and reaches the caller's assistant through a Vapi SIP trunk credential and phone number. `mode: external`: the caller's own SIP trunk (gateway, port, SIP login) becomes a Vapi SIP trunk credential with the number on it, bound to the assistant. The SIP password is passed to Vapi and never stored or answered. Any failure undoes what was created and answers 502: nothing is left half-made. One line per mode.",
  tags: ['me'],
  request: { body: IntegrationRequest, maxBodyBytes: 4_096 },
  response: { status: 201, body: Integration, description: 'The line, active.' },
  errors: [
    {
      status: 409,
      slugs: ['assistant-required', 'integration-exists', 'integration-in-progress'],
      description:
        '`assistant-required`: the caller has no assistant yet (PUT /v1/me/assistant first). `integration-exists`: the caller has a line of this mode already (remove it first). `integration-in-progress`: another request is creating a line of this mode right now. Nothing was created.',
    },
    {
      status: 422,
      slugs: ['number-not-on-account', 'number-unavailable'],
      description:
        "`number-not-on-account`: the number is not one of Fonella's Sipgate account. `number-unavailable`: the number rings Fonella's pool trunk or another line. Nothing was created.",
    },
  ],
  uses: { table: 'write', providers: ['vapi', 'sipgate'] },
} satisfies RouteDef;

export const removeIntegrations = {
  name: 'removeIntegrations',
  method: 'DELETE',
  path: '/v1/me/integrations',
  handler: 'functions/me/remove-integrations.ts',
  access: 'user',
  summary: "Remove the caller's phone lines",
  description:
    "Without a query: the pool number (given back to the pool), the Sipgate line and the external trunk. `externalOnly=1`: only the external trunk; `fonellaSipgateOnly=1`: only the Sipgate line; not both. Each line's provider resources are deleted newest first (Vapi phone number, SIP trunk credential, Sipgate device; the number then rings Sipgate's phoneline again); a 502 leaves what remains on record, and the same request again finishes the job. Nothing to remove: 204 too. Takes no body.",
  tags: ['me'],
  request: { query: RemoveIntegrationsQuery },
  response: { status: 204, description: 'Removed (or there was nothing to remove).' },
  errors: [
    {
      status: 409,
      slugs: ['integration-in-progress'],
      description: '`integration-in-progress`: the pool number was being bound to the assistant while it was removed; retry.',
    },
  ],
  uses: { table: 'write', providers: ['vapi', 'sipgate'] },
} satisfies RouteDef;

/** Every route, by operation id. */
export const routes: Record<string, RouteDef> = { getHealth, listPlans, submitContact, submitSupportTicket, submitCallbackRequest, getMe, updateSettings, putAssistant, reportCall, importPoolNumbers, listPoolNumbers, registerDevice, createSubscription, changePlan, receiveStripeEvent, listCalls, getCall, receiveVapiMessage, addIntegration, removeIntegrations };
