// The webhook event types a customer can subscribe to (POST /v1/me/webhooks), and the retry schedule
// every delivery follows (the Standard Webhooks / Svix schedule): the first attempt at once, then after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; a delivery whose eighth attempt fails has failed, and an
// endpoint failing for 5 days in a row is disabled.
export const WEBHOOK_EVENT_TYPES = [
  'call.ended',
  'call.report.created',
  'subscription.updated',
  'assistant.updated',
  'phone-line.added',
  'phone-line.removed',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Seconds to wait before each attempt, by attempt number from 1: the schedule has this many attempts. */
export const RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000] as const;

/** The wait before attempt `attempt` (from 2); undefined past the schedule's last. */
export const delayBeforeAttempt = (attempt: number): number | undefined => (attempt >= 2 ? RETRY_SCHEDULE_SECONDS[attempt - 1] : undefined);

/** Failures in a row for this long disable an endpoint. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/** An endpoint's answer counts as received within this time. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** The first bytes of an answer's body kept in the delivery log. */
export const RESPONSE_KEPT_BYTES = 1_024;
