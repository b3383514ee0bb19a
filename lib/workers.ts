// The worker manifest: every function that reacts to the table's stream, once. The CDK stack (one
// function and one filtered event source per entry), the local runtime (lib/local/streams.ts) and the
// bench read `workers`; a worker imports only its own entry. Handlers live at functions/streams/.
// Side effects that must not be lost (emails, provider calls, counters) run here, not in a route.
import { AGENT_PHONE_KEYS } from '../shared/db/agent-phones';
import { CALL_DELETION_KEYS } from '../shared/db/call-deletions';
import { CALL_REPORT_KEYS } from '../shared/db/call-reports';
import { CALL_KEYS } from '../shared/db/calls';
import { CONTACT_PK_PREFIX } from '../shared/db/contacts';
import { CUSTOMER_SOURCE_KEYS } from '../shared/db/customers';
import { DEVICE_PK_PREFIX, DEVICE_SK_PREFIX } from '../shared/db/devices';
import { EXPORT_KEYS } from '../shared/db/exports';
import { PARTNER_KEYS } from '../shared/db/partners';
import { WAITING_AREA_KEYS } from '../shared/db/hotline-numbers';
import { HOTLINE_KEYS } from '../shared/db/hotlines';
import { MEMBER_SK_PREFIX, ORG_PK_PREFIX } from '../shared/db/organizations';
import { PAYMENT_FAILURE_KEYS } from '../shared/db/payment-failures';
import { NUMBER_RELEASE_KEYS } from '../shared/db/number-releases';
import { POOL_NUMBER_KEYS } from '../shared/db/pool';
import { POOL_LINE_KEYS } from '../shared/db/pool-lines';
import { SUBSCRIPTION_KEYS } from '../shared/db/subscriptions';
import { TEARDOWN_KEYS } from '../shared/db/teardowns';
import { TICKET_PK_PREFIX } from '../shared/db/tickets';
import { SETTINGS_KEYS } from '../shared/db/users';
import { ASSISTANT_SK } from '../shared/db/assistants';
import { INTEGRATION_SK_PREFIX } from '../shared/db/keys';
import { WEBHOOK_DELIVERY_KEYS, WEBHOOK_RECOVERY_KEYS } from '../shared/db/webhook-deliveries';
import { WEBHOOK_SUBSCRIPTION_KEYS } from '../shared/db/webhook-subscriptions';
import type { WorkerDef } from '../shared/streams/worker-def';

export const deliverContactEmail = {
  name: 'deliverContactEmail',
  handler: 'functions/streams/deliver-contact-email.ts',
  summary: 'Emails a new contact request to the sales inbox and marks it sent',
  on: { events: ['INSERT'], pk: CONTACT_PK_PREFIX },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const deliverTicketEmails = {
  name: 'deliverTicketEmails',
  handler: 'functions/streams/deliver-ticket-emails.ts',
  summary: 'Emails a new support ticket to the support inbox and a confirmation to its sender, marking each once sent',
  on: { events: ['INSERT'], pk: TICKET_PK_PREFIX },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const bindPoolNumber = {
  name: 'bindPoolNumber',
  handler: 'functions/streams/bind-pool-number.ts',
  summary: "Binds a newly assigned pool number in Vapi (a BYO number on the shared trunk's credential, attached to the user's assistant) and marks the line bound",
  on: { events: ['INSERT'], pk: POOL_LINE_KEYS.pk, sk: POOL_LINE_KEYS.sk },
  uses: { table: 'write', providers: ['vapi'] },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const sendSignInAlert = {
  name: 'sendSignInAlert',
  handler: 'functions/streams/send-sign-in-alert.ts',
  summary:
    "Emails the user about a sign-in on a new device (not the account's first device) at a verified address (the settings', else Auth0's), at most once per user within the alert window, and marks the device row sent or skipped",
  on: { events: ['INSERT'], pk: DEVICE_PK_PREFIX, sk: DEVICE_SK_PREFIX },
  uses: { table: 'write', providers: ['mailgun', 'auth0'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const sendEmailConfirmation = {
  name: 'sendEmailConfirmation',
  handler: 'functions/streams/send-email-confirmation.ts',
  summary: 'Emails a new settings address its confirmation link (only the token\'s hash is stored on the settings) and marks the settings',
  on: { events: ['INSERT', 'MODIFY'], pk: SETTINGS_KEYS.pk, sk: SETTINGS_KEYS.sk, changed: 'pendingEmailRequestedAt' },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyPaymentFailed = {
  name: 'notifyPaymentFailed',
  handler: 'functions/streams/notify-payment-failed.ts',
  summary: 'Emails the user about a failed subscription payment (one row per invoice), in their language with a link to update the payment method, and marks the row sent',
  on: { events: ['INSERT'], pk: PAYMENT_FAILURE_KEYS.pk, sk: PAYMENT_FAILURE_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const sendCallSummary = {
  name: 'sendCallSummary',
  handler: 'functions/streams/send-call-summary.ts',
  summary: "Emails the owner of a new call its summary and a link to it at a verified address (the settings', else Auth0's), and marks the call sent or skipped",
  on: { events: ['INSERT'], pk: CALL_KEYS.pk, sk: CALL_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun', 'auth0'] },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyCallReport = {
  name: 'notifyCallReport',
  handler: 'functions/streams/notify-call-report.ts',
  summary: "Emails a customer's report of a call to the review inbox (the call's link, the reporter, the description), and marks the report",
  on: { events: ['INSERT'], pk: CALL_REPORT_KEYS.pk, sk: CALL_REPORT_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const sendPartnerInvite = {
  name: 'sendPartnerInvite',
  handler: 'functions/streams/send-partner-invite.ts',
  summary: 'Emails a newly invited partner their single-use invite link to the partner portal (only the token\'s hash is stored) and marks the partner',
  on: { events: ['INSERT'], pk: PARTNER_KEYS.pk, sk: PARTNER_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const indexCustomer = {
  name: 'indexCustomer',
  handler: 'functions/streams/index-customer.ts',
  summary: "Keeps the admin dashboard's customer listing, search words and counters (customers, sign-ups, active subscriptions by plan) in step with the customer's settings and subscription rows, removing them with the account",
  on: { events: ['INSERT', 'MODIFY', 'REMOVE'], pk: CUSTOMER_SOURCE_KEYS.pk, sk: [CUSTOMER_SOURCE_KEYS.settingsSk, CUSTOMER_SOURCE_KEYS.subscriptionSk] },
  uses: { table: 'write' },
  // Records of a batch run side by side and meet on the counter shards: a moderate batch keeps retries few.
  batchSize: 25,
  retryAttempts: 10,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const countCall = {
  name: 'countCall',
  handler: 'functions/streams/count-call.ts',
  summary: "Counts a new call and its minutes in the admin dashboard's monthly counters, once per call",
  on: { events: ['INSERT'], pk: CALL_KEYS.pk, sk: CALL_KEYS.sk },
  uses: { table: 'write' },
  batchSize: 100,
  retryAttempts: 10,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const tearDownAccount = {
  name: 'tearDownAccount',
  handler: 'functions/streams/tear-down-account.ts',
  summary: "Deletes an account a step at a time (subscription, lines, assistant, calls at Vapi, export files, rows, login, confirmation email), marking each on its TEARDOWN record; the mark brings it back for the next",
  on: { events: ['INSERT', 'MODIFY'], pk: TEARDOWN_KEYS.pk, sk: TEARDOWN_KEYS.sk },
  uses: { table: 'write', providers: ['stripe', 'vapi', 'sipgate', 'auth0', 'mailgun'], exportsBucket: 'write' },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const redateCalls = {
  name: 'redateCalls',
  handler: 'functions/streams/redate-calls.ts',
  summary:
    "Gives an account's stored calls the TTL of its new retention, a page at a time, each page's end marked on the settings row (`callRedating`) to bring it back for the next",
  on: { events: ['INSERT', 'MODIFY'], pk: SETTINGS_KEYS.pk, sk: SETTINGS_KEYS.sk, changed: 'callRedating' },
  uses: { table: 'write' },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const purgeCall = {
  name: 'purgeCall',
  handler: 'functions/streams/purge-call.ts',
  summary:
    "Deletes a call its owner asked to delete, a marked step at a time: at Vapi, then our rows (the call, its reference, its reports); the CALLDELETION record goes last",
  on: { events: ['INSERT', 'MODIFY'], pk: CALL_DELETION_KEYS.pk, sk: CALL_DELETION_KEYS.sk },
  uses: { table: 'write', providers: ['vapi'] },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const produceExport = {
  name: 'produceExport',
  handler: 'functions/streams/produce-export.ts',
  summary:
    "Makes a requested data export (a JSON document of the account and the calls as CSV, in the exports bucket), marks it ready, then emails the customer once",
  on: { events: ['INSERT', 'MODIFY'], pk: EXPORT_KEYS.pk, sk: EXPORT_KEYS.sk, changed: 'status' },
  uses: { table: 'write', providers: ['mailgun'], exportsBucket: 'write' },
  batchSize: 1,
  retryAttempts: 3,
  maxRecordAgeSeconds: 3_600, // the account's lock lasts less; a later export starts again
} satisfies WorkerDef;

/** Every worker, by name. */
export const provisionHotline = {
  name: 'provisionHotline',
  handler: 'functions/streams/provision-hotline.ts',
  summary:
    "Provisions a hotline whose status became `created`: its area's number from the hotline pool on Fonella's jambonz carrier and an application with our hooks; marks it active, failed (retried) or waiting-for-number (none free there)",
  on: { events: ['INSERT', 'MODIFY'], pk: HOTLINE_KEYS.pk, sk: HOTLINE_KEYS.sk, changed: 'status' },
  uses: { table: 'write', providers: ['jambonz'] },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const refreshRingLists = {
  name: 'refreshRingLists',
  handler: 'functions/streams/refresh-ring-lists.ts',
  summary: "Keeps each hotline's ring list (whom its calls ring, read by the call hook with the hotline) in step with its agents, their membership, consent and phones",
  // Hotline rows, member rows and agent phones (the user's other hotline rows pass too and change nothing).
  on: { events: ['INSERT', 'MODIFY', 'REMOVE'], pk: [HOTLINE_KEYS.pk, ORG_PK_PREFIX, AGENT_PHONE_KEYS.pk], sk: [HOTLINE_KEYS.sk, MEMBER_SK_PREFIX, AGENT_PHONE_KEYS.sk] },
  uses: { table: 'write' },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyHotlineNumbersWanted = {
  name: 'notifyHotlineNumbersWanted',
  handler: 'functions/streams/notify-hotline-numbers-wanted.ts',
  summary: "Emails the support inbox once per area where hotlines start waiting for a number the hotline pool does not have (the area's waiting row), and marks the row",
  on: { events: ['INSERT'], pk: WAITING_AREA_KEYS.pk, sk: WAITING_AREA_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const syncPoolNumber = {
  name: 'syncPoolNumber',
  handler: 'functions/streams/sync-pool-number.ts',
  summary:
    "Keeps the user's pool number in step with their subscription: assigned (or waited for) while the plan includes one, its release at the period's end announced (or, taken back, withdrawn), given back once it does not",
  // The subscription's row, and the pool line's: a number assigned while a release is already due is announced too.
  on: { events: ['INSERT', 'MODIFY'], pk: SUBSCRIPTION_KEYS.pk, sk: [SUBSCRIPTION_KEYS.sk, POOL_LINE_KEYS.sk] },
  uses: { table: 'write', providers: ['vapi'] },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const assignPoolNumbers = {
  name: 'assignPoolNumbers',
  handler: 'functions/streams/assign-pool-numbers.ts',
  summary: 'Gives a pool number that became free (imported, or given back) to the user who has waited longest for one and still waits',
  on: { events: ['INSERT', 'MODIFY'], pk: POOL_NUMBER_KEYS.pk, sk: POOL_NUMBER_KEYS.sk, changed: 'status' },
  uses: { table: 'write' },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyNumberRelease = {
  name: 'notifyNumberRelease',
  handler: 'functions/streams/notify-number-release.ts',
  summary: "Emails the user, once per release date, that their pool number goes at the period's end (which number, when, why), in their language, and marks the row sent; a release announced again after it was taken back is a new announcement",
  on: { events: ['INSERT', 'MODIFY'], pk: NUMBER_RELEASE_KEYS.pk, sk: NUMBER_RELEASE_KEYS.sk, changed: 'announcedAt' },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyNumberKept = {
  name: 'notifyNumberKept',
  handler: 'functions/streams/notify-number-kept.ts',
  summary: "Emails the user, once per release date, that their pool number stays after all, when they took back the downgrade or cancellation whose release they had been told of, and marks the row",
  // Every MODIFY: the withdrawal, or the announcement's mark when the withdrawal came first.
  on: { events: ['MODIFY'], pk: NUMBER_RELEASE_KEYS.pk, sk: NUMBER_RELEASE_KEYS.sk },
  uses: { table: 'write', providers: ['mailgun'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const emitWebhookEvents = {
  name: 'emitWebhookEvents',
  handler: 'functions/streams/emit-webhook-events.ts',
  summary:
    "Turns what happens in an account (a call ended, a call reported, the subscription or the assistant changed, a phone line added or removed) into a webhook event with one delivery per endpoint that wants it, once per event",
  on: {
    events: ['INSERT', 'MODIFY', 'REMOVE'],
    pk: CALL_KEYS.pk,
    sk: [CALL_KEYS.sk, CALL_REPORT_KEYS.sk, SUBSCRIPTION_KEYS.sk, ASSISTANT_SK, INTEGRATION_SK_PREFIX],
  },
  uses: { table: 'write' },
  batchSize: 25,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const dispatchWebhookDelivery = {
  name: 'dispatchWebhookDelivery',
  handler: 'functions/streams/dispatch-webhook-delivery.ts',
  summary: "Queues a webhook delivery's next attempt (its first, a scheduled retry, a retry or a recovery) on the attempts' queue, with the wait until it is due",
  on: { events: ['INSERT', 'MODIFY'], pk: WEBHOOK_DELIVERY_KEYS.pk, sk: WEBHOOK_DELIVERY_KEYS.sk, changed: 'dispatchRequestedAt' },
  uses: { table: 'read', webhookQueue: 'send' },
  batchSize: 25,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const recoverWebhookDeliveries = {
  name: 'recoverWebhookDeliveries',
  handler: 'functions/streams/recover-webhook-deliveries.ts',
  summary: "Gives each of an endpoint's deliveries that failed since a recovery's `since` one more attempt, a page per record; each page's mark brings the next",
  on: { events: ['INSERT', 'MODIFY'], pk: WEBHOOK_RECOVERY_KEYS.pk, sk: WEBHOOK_RECOVERY_KEYS.sk, changed: 'progress' },
  uses: { table: 'write' },
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const notifyWebhookDisabled = {
  name: 'notifyWebhookDisabled',
  handler: 'functions/streams/notify-webhook-disabled.ts',
  summary: 'Emails the owner of a webhook endpoint that five days of failed deliveries disabled, once, at a verified address, and marks the endpoint',
  on: { events: ['MODIFY'], pk: WEBHOOK_SUBSCRIPTION_KEYS.pk, sk: WEBHOOK_SUBSCRIPTION_KEYS.sk, changed: 'disabledAt' },
  uses: { table: 'write', providers: ['mailgun', 'auth0'] },
  batchSize: 10,
  retryAttempts: 3,
  maxRecordAgeSeconds: 86_400, // a day
} satisfies WorkerDef;

export const workers: Record<string, WorkerDef> = { deliverContactEmail, deliverTicketEmails, bindPoolNumber, sendSignInAlert, sendEmailConfirmation, notifyPaymentFailed, sendCallSummary, notifyCallReport, sendPartnerInvite, indexCustomer, countCall, tearDownAccount, provisionHotline, refreshRingLists, notifyHotlineNumbersWanted, syncPoolNumber, assignPoolNumbers, notifyNumberRelease, notifyNumberKept, emitWebhookEvents, dispatchWebhookDelivery, recoverWebhookDeliveries, notifyWebhookDisabled, redateCalls, purgeCall, produceExport };
