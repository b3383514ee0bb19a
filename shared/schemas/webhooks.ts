// Schemas of the webhooks we send: the endpoints (/v1/me/webhooks...), their delivery log, and the
// payload of each event type (the OpenAPI document's top-level `webhooks`, lib/openapi.ts).
import * as z from '../zod';
import { WEBHOOK_EVENT_TYPES } from '../model/webhook-events';
import { isoDateTime, line, pageCursor, pageLimit } from './common';

/** An id in a path: an endpoint's (`wh_...`) or a delivery's (`msg_...`); one that is no such id is simply not found. */
const PATH_ID = /^[A-Za-z0-9_-]+$/;

export const WebhookEventTypeName = /* @__PURE__ */ z.defineSchema(() => z.enum(WEBHOOK_EVENT_TYPES).register(z.globalRegistry, { id: 'WebhookEventType' }));

const url = /* @__PURE__ */ z.defineSchema(() =>
  z.url().check(z.maxLength(2048)).register(z.globalRegistry, {
    description: 'Where the events are posted: `https` (the local stack also takes `http://127.0.0.1:<port>`), a public host, no user name or password.',
    examples: ['https://hooks.example.com/fonella'],
  }),
);
const eventTypes = /* @__PURE__ */ z.defineSchema(() =>
  z.array(WebhookEventTypeName).check(
    z.minLength(1),
    z.maxLength(WEBHOOK_EVENT_TYPES.length),
    z.refine((a) => new Set(a).size === a.length, { message: 'Must not repeat an event type.' }),
  ),
);

export const WebhookCreate = /* @__PURE__ */ z.defineSchema(() =>
  z
    .strictObject({
      url,
      eventTypes,
      description: z.optional(z.nullable(line(200))),
      enabled: z.optional(z.boolean()),
    })
    .register(z.globalRegistry, { id: 'WebhookCreate' }),
);

export const WebhookUpdate = /* @__PURE__ */ z.defineSchema(() =>
  z
    .strictObject({
      url: z.optional(url),
      eventTypes: z.optional(eventTypes),
      description: z.optional(z.nullable(line(200))),
      enabled: z.optional(z.boolean()),
    })
    .check(z.refine((b) => Object.keys(b).length > 0, { message: 'Give at least one field to change.' }))
    .register(z.globalRegistry, { id: 'WebhookUpdate' }),
);

const pathId = (what: string) => z.string().check(z.minLength(1), z.maxLength(40), z.regex(PATH_ID, `Must be ${what}.`));

export const WebhookPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ webhookId: pathId('a webhook id') }));

export const DeliveryPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ webhookId: pathId('a webhook id'), deliveryId: pathId('a delivery id') }));

/** An endpoint's fields as answered (never its secret, but on creation). */
const webhookFields = () => ({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(WebhookEventTypeName),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  secretHint: z.string().register(z.globalRegistry, { description: 'The signing secret, masked: it is shown whole only on creation and rotation.' }),
  previousSecretExpiresAt: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'Until then the secret before the last rotation signs too.' }),
  failingSince: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'The first failed attempt since the last success; after 5 days of failures the endpoint is disabled.' }),
  disabledAt: z.nullable(isoDateTime),
  disabledReason: z.nullable(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const Webhook = /* @__PURE__ */ z.defineReply(() => z.object(webhookFields()).register(z.globalRegistry, { id: 'Webhook' }));

export const WebhookWithSecret = /* @__PURE__ */ z.defineReply(() =>
  z
    .object({
      ...webhookFields(),
      secret: z.string().register(z.globalRegistry, { description: 'The signing secret (`whsec_...`), shown this once: keep it where the receiver can read it.' }),
    })
    .register(z.globalRegistry, { id: 'WebhookWithSecret' }),
);

export const WebhookList = /* @__PURE__ */ z.defineReply(() => z.object({ items: z.array(Webhook) }).register(z.globalRegistry, { id: 'WebhookList' }));

export const SecretRotated = /* @__PURE__ */ z.defineReply(() =>
  z
    .object({
      id: z.string(),
      secret: z.string().register(z.globalRegistry, { description: 'The new signing secret, shown this once.' }),
      previousSecretExpiresAt: isoDateTime.clone().register(z.globalRegistry, { description: 'Until then messages carry a signature with the old secret too.' }),
    })
    .register(z.globalRegistry, { id: 'SecretRotated' }),
);

export const TestEventSent = /* @__PURE__ */ z.defineReply(() =>
  z.object({ eventId: z.string().register(z.globalRegistry, { description: "The test message's id (`webhook-id`), also its delivery's id." }) }).register(z.globalRegistry, { id: 'TestEventSent' }),
);

const AttemptEntry = /* @__PURE__ */ z.defineReply(() =>
  z.object({
    attempt: z.int(),
    at: isoDateTime,
    status: z.nullable(z.int()).register(z.globalRegistry, { description: "The endpoint's HTTP status; null without an answer." }),
    durationMs: z.int(),
    error: z.nullable(z.string()),
    trigger: z.enum(['event', 'retry', 'recover']),
  }),
);

export const Delivery = /* @__PURE__ */ z.defineReply(() =>
  z
    .object({
      id: z.string().register(z.globalRegistry, { description: "The delivery's id: its event's id, which is the `webhook-id` of every attempt." }),
      eventType: WebhookEventTypeName,
      occurredAt: isoDateTime,
      createdAt: isoDateTime,
      status: z.enum(['pending', 'succeeded', 'failed']),
      attempts: z.int(),
      lastStatus: z.nullable(z.int()),
      lastError: z.nullable(z.string()),
      lastDurationMs: z.nullable(z.int()),
      lastResponse: z.nullable(z.string()).register(z.globalRegistry, { description: "The first KB of the last answer's body." }),
      lastAttemptAt: z.nullable(isoDateTime),
      nextAttemptAt: z.nullable(isoDateTime),
      log: z.array(AttemptEntry).register(z.globalRegistry, { description: 'The latest attempts (up to 20), oldest first.' }),
    })
    .register(z.globalRegistry, { id: 'WebhookDelivery' }),
);

export const DeliveryListQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({ limit: pageLimit(20), cursor: z.optional(pageCursor()) }));

export const DeliveryPage = /* @__PURE__ */ z.defineReply(() =>
  z.object({ items: z.array(Delivery), nextCursor: z.nullable(z.string()) }).register(z.globalRegistry, { id: 'WebhookDeliveryPage' }),
);

export const RecoverRequest = /* @__PURE__ */ z.defineSchema(() =>
  z.strictObject({ since: z.iso.datetime().check(z.maxLength(40)).register(z.globalRegistry, { description: 'Failed deliveries of events from this time on are sent again (within the log\'s retention).' }) }).register(z.globalRegistry, { id: 'WebhookRecoverRequest' }),
);

export const RecoveryAccepted = /* @__PURE__ */ z.defineReply(() =>
  z.object({ recoveryId: z.string(), since: isoDateTime, status: z.literal('running') }).register(z.globalRegistry, { id: 'WebhookRecovery' }),
);

// --- the payloads --------------------------------------------------------------------------------

/** `{type, timestamp, data}` (the Standard Webhooks payload), one schema per event type. */
const envelope = <T extends z.ZodMiniType>(type: string, data: T, id: string, description: string) =>
  z
    .object({
      type: z.literal(type),
      timestamp: isoDateTime.clone().register(z.globalRegistry, { description: 'When it happened (deliveries may arrive late and out of order: order by this).' }),
      data,
    })
    .register(z.globalRegistry, { id, description });

export const CallEndedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope(
    'call.ended',
    z.object({
      callId: z.string(),
      assistantId: z.string(),
      from: z.nullable(z.string()).register(z.globalRegistry, { description: "The caller's number (E.164), when known." }),
      to: z.nullable(z.string()).register(z.globalRegistry, { description: 'The number that was called (E.164), when known.' }),
      startedAt: isoDateTime,
      endedAt: isoDateTime,
      durationSeconds: z.number(),
      endedReason: z.nullable(z.string()),
      summary: z.nullable(z.string()),
      transcript: z.nullable(z.string()),
      portalUrl: z.string().register(z.globalRegistry, { description: "The call in the customer portal." }),
    }),
    'CallEndedEvent',
    "A call the customer's assistant took has ended and its report is stored.",
  ),
);

export const CallReportCreatedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope(
    'call.report.created',
    z.object({ reportId: z.string(), callId: z.string(), callStartedAt: isoDateTime, description: z.string(), locale: z.string(), reportedAt: isoDateTime }),
    'CallReportCreatedEvent',
    'A call of the account was reported for review (POST /v1/me/call-reports).',
  ),
);

export const SubscriptionUpdatedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope(
    'subscription.updated',
    z.object({
      planId: z.string(),
      status: z.nullable(z.string()),
      currentPeriodEnd: z.nullable(isoDateTime),
      cancelAtPeriodEnd: z.boolean(),
      pendingChange: z.nullable(z.object({ planId: z.string(), effectiveAt: z.nullable(z.string()) })),
    }),
    'SubscriptionUpdatedEvent',
    "The account's subscription changed: its plan, status, period, a scheduled change or cancellation.",
  ),
);

export const AssistantUpdatedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope(
    'assistant.updated',
    z.object({ assistantId: z.string(), greeting: z.nullable(z.string()), language: z.nullable(z.string()), updatedAt: z.nullable(isoDateTime) }),
    'AssistantUpdatedEvent',
    "The account's assistant was created or changed (greeting, language).",
  ),
);

const PhoneLine = /* @__PURE__ */ z.defineReply(() =>
  z.object({ kind: z.enum(['pool', 'sipgate', 'external']), number: z.nullable(z.string()) }),
);

export const PhoneLineAddedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope('phone-line.added', PhoneLine, 'PhoneLineAddedEvent', 'A phone line reaches the assistant now: a pool number bound, a Sipgate line or an external trunk active.'),
);

export const PhoneLineRemovedEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope('phone-line.removed', PhoneLine, 'PhoneLineRemovedEvent', 'A phone line of the account was removed.'),
);

export const WebhookTestEvent = /* @__PURE__ */ z.defineReply(() =>
  envelope('webhook.test', z.object({ webhookId: z.string(), message: z.string() }), 'WebhookTestEvent', 'Sent by POST /v1/me/webhooks/{webhookId}/test, to this endpoint only.'),
);

/** Each event type's payload, for the document's `webhooks` section. */
export const WEBHOOK_PAYLOADS = /* @__PURE__ */ z.defineSchema(() => ({
  'call.ended': CallEndedEvent,
  'call.report.created': CallReportCreatedEvent,
  'subscription.updated': SubscriptionUpdatedEvent,
  'assistant.updated': AssistantUpdatedEvent,
  'phone-line.added': PhoneLineAddedEvent,
  'phone-line.removed': PhoneLineRemovedEvent,
  'webhook.test': WebhookTestEvent,
}));
