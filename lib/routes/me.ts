// The customer portal: any valid token; each route acts on the token's `sub` only.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { INVALID_CURSOR } from '../../shared/db/cursor';
import { Assistant, AssistantSetup } from '../../shared/schemas/assistant';
import { PlanChangeRequest, Subscription, SubscriptionCreated, SubscriptionRequest } from '../../shared/schemas/billing';
import { CallDeletion, CallDetail, CallListQuery, CallPage, CallPath } from '../../shared/schemas/calls';
import { CallReportAccepted, CallReportRequest } from '../../shared/schemas/calls-report';
import { Profile, Settings } from '../../shared/schemas/me';
import { Integration, IntegrationRequest, RemoveIntegrationsQuery } from '../../shared/schemas/integrations';
import { DataExport, ExportPath } from '../../shared/schemas/exports';
import { EmailConfirmationRequest, SettingsUpdate } from '../../shared/schemas/settings';
import { AccountDeletionRequest, Teardown } from '../../shared/schemas/teardown';
import { FREE_FORM_MAX_BYTES } from '../../shared/schemas/free-form';
import { DEVICE_INFO_MAX_BYTES, DeviceRegistered, DeviceRegistration } from '../../shared/schemas/devices';
import { Referral, ReferralRequest } from '../../shared/schemas/partner';
import { ApiKeyCreated, ApiKeyList, ApiKeyPath, ApiKeyRequest } from '../../shared/schemas/api-keys';

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
  accountState: 'in-partition-read',
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
    "Changes the fields given (name, email, time zone, email language) on the caller's own settings and answers them as stored; fields left out keep their value. At least one field; none may be null. A new `email` is not taken at once: it shows as `pendingEmail` while the address in use stays, a stream worker emails it a confirmation link (`<portal>/settings/confirm-email?token=...`, working for 24 hours), and `POST /v1/me/email-confirmations` with the link's token makes it the address in use, verified. The token's own address, when Auth0 verified it, is taken at once; the address in use again drops a pending change. A caller without settings yet (no `GET /v1/me` before) gets them created, with the token's email (verified as the token says) and name, `Europe/Berlin` and German wherever the request names nothing.",
  tags: ['me'],
  request: { body: SettingsUpdate },
  response: { status: 200, body: Settings, description: 'The settings as stored now.' },
  errors: [
    {
      status: 429,
      slugs: ['rate-limited'],
      description:
        '`rate-limited`: the caller asked for more confirmation links today (new addresses) than the limit allows; nothing was changed. Retry after `Retry-After` seconds, when the day (UTC) ends.',
      retryAfter: 'Seconds until the day (UTC) ends.',
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const confirmEmail = {
  name: 'confirmEmail',
  method: 'POST',
  path: '/v1/me/email-confirmations',
  handler: 'functions/me/confirm-email.ts',
  access: 'user',
  summary: 'Confirm a changed email address',
  description:
    "The portal's confirmation page posts the token of the link emailed to a new address (`PATCH /v1/me/settings`), signed in as the account whose address it is: the pending address becomes the address in use, verified, and the link stops working. Only the newest link of the caller's pending change works, once, for 24 hours.",
  tags: ['me'],
  request: { body: EmailConfirmationRequest, maxBodyBytes: 1_024 },
  response: { status: 200, body: Settings, description: 'The settings as stored now, the confirmed address in use.' },
  errors: [
    {
      status: 400,
      slugs: ['email-confirmation-invalid'],
      description:
        "`email-confirmation-invalid`: the token is not the caller's pending change's (replaced by a newer link, used already, another account's, or none is pending); nothing changed.",
    },
    {
      status: 410,
      slugs: ['email-confirmation-expired'],
      description: '`email-confirmation-expired`: the link is older than 24 hours; enter the address in the settings again for a new one. Nothing changed.',
    },
  ],
  accountState: 'in-partition-read',
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
    "The first call creates the caller's voice assistant in Vapi (greeting as its first message; speech recognition, voice and prompt by language) and, when the caller's plan includes a number, assigns a free number from Fonella's pool, which is then bound to the assistant (`phoneNumber.status` goes from `connecting` to `active`). With no free number the assistant is still created and `phoneNumber.status` is `pending`; a later call tries again. Later calls update the same assistant (its custom tools stay attached). Both fields are optional: a later call keeps what it leaves out; the first call takes the language from the caller's email language (else German) and a default greeting in that language.",
  tags: ['me'],
  request: { body: AssistantSetup, maxBodyBytes: 8_192 },
  response: { status: 200, body: Assistant, description: 'The assistant as stored, with its number.' },
  errors: [
    {
      status: 409,
      slugs: ['assistant-being-created'],
      description: '`assistant-being-created`: another request of the same user is creating the assistant right now; nothing was created twice. Retry in a moment.',
    },
    {
      status: 409,
      slugs: ['assistant-busy'],
      description: '`assistant-busy`: another request of the same user is changing the assistant (its custom tools, say) right now; nothing was changed. Retry in a moment.',
    },
  ],
  accountState: 'in-partition-read',
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
    "Reports one of the caller's calls for review (Microsoft Store policy 11.16: users can report AI-generated content): the call by its id and start, as `GET /v1/me/calls` answers them, and what is wrong with it. The report is stored under a new id and a stream worker emails it to Fonella's review team with a link to the call, replying to the caller's address only when it is verified. Reporting a call again files another report, within a limit per call and per caller and day. `locale` is the language the report is written in (without it, the caller's email language, else `Accept-Language`).",
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
    {
      status: 429,
      slugs: ['rate-limited'],
      description:
        '`rate-limited`: the caller reported this call, or calls in all, more often today than the limits allow; nothing was stored and nobody was emailed. Retry after `Retry-After` seconds, when the day (UTC) ends.',
      retryAfter: 'Seconds until the day (UTC) ends.',
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
    "Called after sign-in with the device's information, all of it optional: `userAgent` (else the request's `User-Agent` header), `platform`, `appVersion`, `pushToken` and the client's own `deviceId`; other fields are accepted and dropped, so `{}` registers the device the request comes from (one without any of it is an \"unknown device\" with an id of its own). The platform is stored as one of `web`, `ios`, `ipados`, `android`, `macos`, `windows`, `linux`, `chromeos`, `other` (anything else is `other`). The device's id is derived from the client's `deviceId` when given (hashed), else from user agent and platform, so the same device keeps its id. A device not seen before is stored (`isNew: true`); past the stage's number of devices per user the least recently seen are dropped. When the account already had another device, the user gets a new-sign-in email in their language at their verified address, at most one per alert window, describing the device in fixed words only (browser and system names, the platform), never the text sent; a known device is refreshed (last seen, app version, push token) and nothing is sent. The push token is stored, never answered.",
  tags: ['me'],
  request: { body: DeviceRegistration, maxBodyBytes: DEVICE_INFO_MAX_BYTES },
  response: { status: 200, body: DeviceRegistered, description: "The device's id, and whether this request created its session." },
  uses: { table: 'write' },
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
  accountState: 'in-partition-read',
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
  accountState: 'in-partition-read',
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
  apiKeyScopes: ['calls:read'],
  uses: { table: 'read' },
} satisfies RouteDef;

export const getCall = {
  name: 'getCall',
  method: 'GET',
  path: '/v1/me/calls/{callId}',
  handler: 'functions/me/get-call.ts',
  access: 'user',
  summary: 'One of the caller\'s calls',
  description:
    'The call by its id: where the summary email\'s link leads, with the custom tools its assistant called (name, start, duration, outcome; never their arguments or answers). Another user\'s call is answered as if it did not exist.',
  tags: ['me'],
  request: { params: CallPath },
  response: { status: 200, body: CallDetail, description: 'The call.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: no call of the caller has this id.' }],
  apiKeyScopes: ['calls:read'],
  uses: { table: 'read' },
} satisfies RouteDef;

export const deleteCall = {
  name: 'deleteCall',
  method: 'DELETE',
  path: '/v1/me/calls/{callId}',
  handler: 'functions/me/delete-call.ts',
  access: 'user',
  summary: 'Delete one of the caller\'s calls, here and at Vapi',
  description:
    "For a caller who asks to have their data erased: the call disappears from `GET /v1/me/calls` and `GET /v1/me/calls/{callId}` with this answer, and a worker then deletes it at Vapi (transcript, recording, analysis) and our rows (the call, its reports), in steps that resume where they stopped. The portal's token only: API keys, which read calls, do not delete them. Another user's call, one past its retention, or one deleted already is answered as if it did not exist. Takes no body.",
  tags: ['me', 'privacy'],
  request: { params: CallPath },
  response: { status: 202, body: CallDeletion, description: 'The call is gone from the lists; its data is being removed.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: no call of the caller has this id (or its deletion was asked for already); nothing changed.' }],
  uses: { table: 'write' },
} satisfies RouteDef;

export const createExport = {
  name: 'createExport',
  method: 'POST',
  path: '/v1/me/exports',
  handler: 'functions/me/create-export.ts',
  access: 'user',
  summary: 'Export everything Fonella holds about the account',
  description:
    "Starts an export (GDPR Art. 15 and 20) of everything Fonella keeps about the caller's account: settings, subscription and payment history, the assistant's configuration, phone lines (without SIP passwords), devices (without push tokens), calls with summaries and transcripts, call reports, referral, earlier exports, and the hotline organisations the caller administers. A worker writes one JSON document (its `schemaVersion` says its shape; `sectionIndex` lists what each section holds) and the calls as CSV, and emails the caller's verified address when it is ready; `GET /v1/me/exports/{exportId}` then answers a short-lived download link per file. The files are deleted after the stated days. One export at a time, and a few a day (3 unless the stage says otherwise). The portal's token only. Takes no body.",
  tags: ['me', 'privacy'],
  response: { status: 202, body: DataExport, description: 'The export is being made (`running`).' },
  errors: [
    { status: 409, slugs: ['export-running'], description: '`export-running`: an export of the account is being made; ask again once it is ready. Nothing was started.' },
    {
      status: 429,
      slugs: ['rate-limited'],
      description: '`rate-limited`: the caller asked for more exports today than the limit allows; nothing was started. Retry after `Retry-After` seconds, when the day (UTC) ends.',
      retryAfter: 'Seconds until the day (UTC) ends.',
    },
  ],
  uses: { table: 'write' },
} satisfies RouteDef;

export const getExport = {
  name: 'getExport',
  method: 'GET',
  path: '/v1/me/exports/{exportId}',
  handler: 'functions/me/get-export.ts',
  access: 'user',
  summary: 'One of the caller\'s data exports, with its download links',
  description:
    "The export's state; once `ready`, a link per file (a presigned GET of the exports bucket) that works for a few minutes (15 unless the stage says otherwise): ask again for fresh ones. Another user's export is answered as if it did not exist.",
  tags: ['me', 'privacy'],
  request: { params: ExportPath },
  response: { status: 200, body: DataExport, description: 'The export.' },
  errors: [{ status: 404, slugs: ['not-found'], description: '`not-found`: no export of the caller has this id.' }],
  uses: { table: 'read', exportsBucket: 'read' },
} satisfies RouteDef;

export const addIntegration = {
  name: 'addIntegration',
  method: 'POST',
  path: '/v1/me/integrations',
  handler: 'functions/me/add-integration.ts',
  // Only a Sipgate number reads phone numbers: a trunk's request never loads libphonenumber-js.
  loadsOnDemand: ['libphonenumber-js'],
  access: 'user',
  summary: 'Connect a phone line to the assistant',
  description:
    "`mode: sipgate`: a number of Fonella's Sipgate account (one ringing no other line) gets a SIP device of its own at Sipgate, is routed to it, and reaches the caller's assistant through a Vapi SIP trunk credential and phone number. `mode: external`: the caller's own SIP trunk (gateway, port, SIP login) becomes a Vapi SIP trunk credential with the number on it, bound to the assistant; the gateway must be on the public internet, as written and by every address its name resolves to. The SIP password is passed to Vapi and never stored or answered. Any failure undoes what was created and answers 502: nothing is left half-made. One line per mode. A body may carry the other mode's fields too (one flat body, as existing clients send it): they are checked against their bounds and ignored.",
  tags: ['me'],
  request: { body: IntegrationRequest, maxBodyBytes: 4_096 },
  response: { status: 201, body: Integration, description: 'The line, active.' },
  errors: [
    {
      status: 400,
      slugs: ['gateway-not-public'],
      description:
        '`gateway-not-public`: the external trunk\'s gateway is not an address on the public internet (private, loopback, link-local, shared, multicast, documentation or reserved, or an internal or single-label name), its name resolves to such an address, or it does not resolve. `errors` names `body.gateway`. Nothing was created.',
    },
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
  accountState: 'in-partition-read',
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

export const saveReferral = {
  name: 'saveReferral',
  method: 'POST',
  path: '/v1/me/referral',
  handler: 'functions/me/save-referral.ts',
  access: 'user',
  summary: 'Save the partner who referred the caller',
  description:
    "Saves the partner the caller came through (the referral link's `ref`: a partner's public code, or a legacy partner user id), once: when a referral is saved already, that one is answered and nothing changes. The partner earns commission on the caller's subscription.",
  tags: ['me'],
  request: { body: ReferralRequest },
  response: { status: 200, body: Referral, description: 'The referral as saved: now, or by an earlier call.' },
  errors: [
    { status: 404, slugs: ['not-found'], description: '`not-found`: no partner has this code or id.' },
    {
      status: 409,
      slugs: ['referral-self', 'referral-partner-inactive'],
      description: "`referral-self`: the code is the caller's own partner account's. `referral-partner-inactive`: the partner is disabled or not yet active.",
    },
  ],
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

export const deleteMe = {
  name: 'deleteMe',
  method: 'DELETE',
  path: '/v1/me',
  handler: 'functions/me/delete-me.ts',
  access: 'user',
  summary: "Delete the caller's account",
  description:
    "Deletes the account for good, in steps a worker runs one after the other: the subscription is canceled now, then the phone lines (the pool number back to the pool, the Sipgate line's device, the external trunk) and the Vapi assistant go, then every row of the account, then the login at Auth0; the confirmation email goes out last, once. Team members (users whose `ownerId` is the caller) are deleted the same way, before the account finishes. From the answer on, every route answers the account's tokens 409 `account-being-deleted`, and once it is done 410 `account-deleted`. A body is optional and free-form (as the existing clients send `{}`): it is accepted within the bounds of device information and ignored.",
  tags: ['me'],
  request: { body: AccountDeletionRequest, maxBodyBytes: FREE_FORM_MAX_BYTES },
  response: { status: 202, body: Teardown, description: 'The deletion is under way: its id, steps and the resources it removes.' },
  accountState: 'in-partition-read',
  uses: { table: 'write' },
} satisfies RouteDef;

// The developer API's keys. A key reaches these routes whatever its scopes (any one of the three), as
// the portal's token does: listing shows no secret, and creating and deleting are bounded by the key's
// own scopes (a key makes or deletes only keys whose scopes it has itself: shared/domain/api-keys.ts).

export const createApiKey = {
  name: 'createApiKey',
  method: 'POST',
  path: '/v1/me/api-keys',
  handler: 'functions/me/create-api-key.ts',
  access: 'user',
  summary: 'Create an API key',
  description:
    "A key for the caller's own integrations: `Authorization: Bearer fon_live_…` then works where its scopes reach, as the portal's token does, for this account only (never admin or partner routes). Takes the portal's token or an API key; a key may create only keys with scopes it has itself. The whole token is in this answer only: the table keeps its SHA-256. At most 10 keys per account.",
  tags: ['developer'],
  request: { body: ApiKeyRequest, maxBodyBytes: 1_024 },
  response: { status: 201, body: ApiKeyCreated, description: 'The key, with its whole token (shown this once).' },
  errors: [
    {
      status: 400,
      slugs: ['api-key-expiry-invalid'],
      description: '`api-key-expiry-invalid`: `expiresAt` is not in the future, or more than 365 days ahead; `errors` names `body.expiresAt`. Nothing was created.',
    },
    {
      status: 403,
      slugs: ['insufficient-scope'],
      description: '`insufficient-scope`: the calling API key asked for a scope it does not have itself (the answer names it). Nothing was created.',
    },
    { status: 409, slugs: ['quota-api-keys'], description: '`quota-api-keys`: the account holds 10 keys already; delete one first. Nothing was created.' },
  ],
  apiKeyScopes: ['webhooks:manage', 'calls:read', 'tools:manage'],
  uses: { table: 'write' },
} satisfies RouteDef;

export const listApiKeys = {
  name: 'listApiKeys',
  method: 'GET',
  path: '/v1/me/api-keys',
  handler: 'functions/me/list-api-keys.ts',
  access: 'user',
  summary: "The caller's API keys",
  description: "The account's keys, newest first: name, scopes, the token's first 16 characters (`prefix`), creation, expiry and last use (to the minute). The whole token is never answered again. Takes the portal's token or an API key.",
  tags: ['developer'],
  response: { status: 200, body: ApiKeyList, description: "The account's keys." },
  apiKeyScopes: ['webhooks:manage', 'calls:read', 'tools:manage'],
  uses: { table: 'read' },
} satisfies RouteDef;

export const deleteApiKey = {
  name: 'deleteApiKey',
  method: 'DELETE',
  path: '/v1/me/api-keys/{keyId}',
  handler: 'functions/me/delete-api-key.ts',
  access: 'user',
  summary: 'Delete an API key',
  description:
    "Deletes the key: from the next request on its token is refused (401 `api-key-invalid`), so any integration using it stops at once. Takes the portal's token or an API key; a key may delete only keys whose scopes it has itself (itself included). Takes no body.",
  tags: ['developer'],
  request: { params: ApiKeyPath },
  response: { status: 204, description: 'Deleted.' },
  errors: [
    { status: 403, slugs: ['insufficient-scope'], description: '`insufficient-scope`: the calling API key lacks a scope of the key it would delete (the answer names it). Nothing was deleted.' },
    { status: 404, slugs: ['api-key-not-found'], description: '`api-key-not-found`: the account has no key with this id.' },
  ],
  apiKeyScopes: ['webhooks:manage', 'calls:read', 'tools:manage'],
  uses: { table: 'write' },
} satisfies RouteDef;
