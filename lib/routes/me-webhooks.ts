// The customer's webhook endpoints and their delivery log (what Fonella sends to the customer's own
// systems): the portal's token, or a developer API key with the `webhooks:manage` scope. Each route
// acts on the token's `sub` only: another account's endpoint is answered as a missing one.
// Entries follow the rules in ./index.ts.
import type { RouteDef } from '../../shared/http/route-def';
import { INVALID_CURSOR } from '../../shared/db/cursor';
import {
  Delivery,
  DeliveryListQuery,
  DeliveryPage,
  DeliveryPath,
  RecoverRequest,
  RecoveryAccepted,
  SecretRotated,
  TestEventSent,
  Webhook,
  WebhookCreate,
  WebhookList,
  WebhookPath,
  WebhookUpdate,
  WebhookWithSecret,
} from '../../shared/schemas/webhooks';

const NOT_FOUND = { status: 404, slugs: ['not-found'], description: '`not-found`: no webhook endpoint of the caller has this id (another account\'s is answered the same way).' };
const URL_REFUSED = {
  status: 400,
  slugs: ['webhook-url-refused'],
  description:
    '`webhook-url-refused`: the URL is not `https`, carries a user name or password, or its host is not on the public internet (a private, loopback, link-local, shared, multicast or reserved address, an internal or single-label name, a name resolving to such an address or not resolving). `errors` names `body.url`. Nothing was stored.',
};
const DISABLED = { status: 409, slugs: ['webhook-disabled'], description: '`webhook-disabled`: the endpoint is disabled; enable it first (`PATCH` with `enabled: true`).' };

export const createWebhook = {
  name: 'createWebhook',
  method: 'POST',
  path: '/v1/me/webhooks',
  handler: 'functions/me/create-webhook.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Add a webhook endpoint',
  description:
    "The URL gets the events of the types listed (`webhook.test` always), each POSTed as JSON `{type, timestamp, data}` and signed by the Standard Webhooks scheme: `webhook-id` (the event's id, the same on every attempt: drop repeats by it), `webhook-timestamp`, and `webhook-signature` (`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">` with the endpoint's secret). The secret (`whsec_...`) is answered this once. A 2xx within 15 s is a success; anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, and the delivery fails after the eighth attempt. An endpoint whose every attempt fails for 5 days is disabled and its owner emailed. Deliveries come at least once and may come out of order: order by `timestamp`. The URL must be `https` on a public host, checked now and at every attempt; redirects are not followed.",
  tags: ['webhook-endpoints'],
  request: { body: WebhookCreate, maxBodyBytes: 8_192 },
  response: { status: 201, body: WebhookWithSecret, description: 'The endpoint, with its signing secret (shown this once).' },
  errors: [URL_REFUSED, { status: 409, slugs: ['quota-webhooks'], description: "`quota-webhooks`: the account has as many endpoints as it may (the stage's limit); delete one first. Nothing was stored." }],
  uses: { table: 'write' },
} satisfies RouteDef;

export const listWebhooks = {
  name: 'listWebhooks',
  method: 'GET',
  path: '/v1/me/webhooks',
  handler: 'functions/me/list-webhooks.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: "The caller's webhook endpoints",
  description: 'Every endpoint of the account, oldest first, with its health; secrets only masked.',
  tags: ['webhook-endpoints'],
  response: { status: 200, body: WebhookList, description: 'The endpoints.' },
  uses: { table: 'read' },
} satisfies RouteDef;

export const getWebhook = {
  name: 'getWebhook',
  method: 'GET',
  path: '/v1/me/webhooks/{webhookId}',
  handler: 'functions/me/get-webhook.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'One webhook endpoint',
  description: 'The endpoint with its health (failing since, disabled when and why) and until when the secret before a rotation still signs; the secret itself only masked.',
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath },
  response: { status: 200, body: Webhook, description: 'The endpoint; its secret only masked.' },
  errors: [NOT_FOUND],
  uses: { table: 'read' },
} satisfies RouteDef;

export const updateWebhook = {
  name: 'updateWebhook',
  method: 'PATCH',
  path: '/v1/me/webhooks/{webhookId}',
  handler: 'functions/me/update-webhook.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Change a webhook endpoint',
  description:
    'Changes the fields given (URL, event types, description, enabled); at least one. A new URL is checked as on creation. `enabled: true` enables a disabled endpoint again and forgets its failures; what failed meanwhile is sent again by `recover`.',
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath, body: WebhookUpdate, maxBodyBytes: 8_192 },
  response: { status: 200, body: Webhook, description: 'The endpoint as stored now.' },
  errors: [URL_REFUSED, NOT_FOUND],
  uses: { table: 'write' },
} satisfies RouteDef;

export const deleteWebhook = {
  name: 'deleteWebhook',
  method: 'DELETE',
  path: '/v1/me/webhooks/{webhookId}',
  handler: 'functions/me/delete-webhook.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Delete a webhook endpoint',
  description: 'The endpoint gets nothing from now on; attempts already queued for it are dropped when they come. Its delivery log goes with its retention.',
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath },
  response: { status: 204, description: 'Deleted.' },
  errors: [NOT_FOUND],
  uses: { table: 'write' },
} satisfies RouteDef;

export const rotateWebhookSecret = {
  name: 'rotateWebhookSecret',
  method: 'POST',
  path: '/v1/me/webhooks/{webhookId}/rotate-secret',
  handler: 'functions/me/rotate-webhook-secret.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: "Rotate a webhook endpoint's secret",
  description:
    "A new signing secret, answered this once. For 24 hours every message carries two signatures in `webhook-signature`, one with the new secret and one with the old, so the receiver can switch at any moment in that day; after it, the new one alone. Takes no body.",
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath },
  response: { status: 200, body: SecretRotated, description: 'The new secret, and until when the old one still signs.' },
  errors: [NOT_FOUND],
  uses: { table: 'write' },
} satisfies RouteDef;

export const testWebhook = {
  name: 'testWebhook',
  method: 'POST',
  path: '/v1/me/webhooks/{webhookId}/test',
  handler: 'functions/me/test-webhook.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Send a test event',
  description: 'A `webhook.test` event to this endpoint alone, delivered, signed and logged like any other. Takes no body.',
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath },
  response: { status: 202, body: TestEventSent, description: 'Stored; its first attempt follows at once.' },
  errors: [NOT_FOUND, DISABLED],
  uses: { table: 'write' },
} satisfies RouteDef;

export const listWebhookDeliveries = {
  name: 'listWebhookDeliveries',
  method: 'GET',
  path: '/v1/me/webhooks/{webhookId}/deliveries',
  handler: 'functions/me/list-webhook-deliveries.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: "A webhook endpoint's delivery log",
  description:
    "The endpoint's deliveries, newest event first, a page at a time: the event, the status, the attempts (each with its time, HTTP status, duration and error), the next attempt's time and the first KB of the last answer. Kept for the stage's retention (30 days unless set). Pass `nextCursor` back as `cursor` for the next page.",
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath, query: DeliveryListQuery },
  response: { status: 200, body: DeliveryPage, description: 'One page of deliveries.' },
  errors: [{ status: 400, slugs: [INVALID_CURSOR], description: '`invalid-cursor`: `cursor` is not a `nextCursor` this listing answered; start again without one.' }, NOT_FOUND],
  uses: { table: 'read' },
} satisfies RouteDef;

export const retryDelivery = {
  name: 'retryDelivery',
  method: 'POST',
  path: '/v1/me/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
  handler: 'functions/me/retry-delivery.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Send one delivery again',
  description:
    'One more attempt of the delivery now, with its own `webhook-id`, whatever its status; a failure of it is logged and not retried on the schedule. Takes no body.',
  tags: ['webhook-endpoints'],
  request: { params: DeliveryPath },
  response: { status: 202, body: Delivery, description: 'The delivery, its next attempt due now.' },
  errors: [
    { status: 404, slugs: ['not-found'], description: '`not-found`: no webhook endpoint of the caller has this id, or it has no delivery with this id.' },
    { status: 409, slugs: ['webhook-disabled', 'delivery-in-progress'], description: '`webhook-disabled`: enable the endpoint first. `delivery-in-progress`: an attempt of it is being made right now; look at the log and retry.' },
  ],
  uses: { table: 'write' },
} satisfies RouteDef;

export const recoverDeliveries = {
  name: 'recoverDeliveries',
  method: 'POST',
  path: '/v1/me/webhooks/{webhookId}/recover',
  handler: 'functions/me/recover-deliveries.ts',
  access: 'user',
  apiKeyScopes: ['webhooks:manage'],
  summary: 'Send again what failed since a time',
  description:
    "Every delivery to this endpoint that failed, of events from `since` on, gets one more attempt, each with its own `webhook-id`: after an outage, once the endpoint answers again. Runs in the background, a page of deliveries after the other; follow it in the delivery log.",
  tags: ['webhook-endpoints'],
  request: { params: WebhookPath, body: RecoverRequest, maxBodyBytes: 1_024 },
  response: { status: 202, body: RecoveryAccepted, description: 'The recovery is under way.' },
  errors: [
    { status: 400, slugs: ['recover-since-invalid'], description: '`recover-since-invalid`: `since` is in the future, or older than the delivery log keeps.' },
    NOT_FOUND,
    DISABLED,
  ],
  uses: { table: 'write' },
} satisfies RouteDef;
