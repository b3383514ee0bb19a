// Webhooks we send to customers (subscriptions under /v1/me/webhooks): how many endpoints an account
// may have, how long events and delivery logs are kept, the queue their attempts run on, and the
// local-only switches of the address policy. On a deployed stage CDK sets the limits from the `fonella`
// context (lib/settings.ts `webhooks`) and the queue's URL; locally they have defaults and the queue is
// the SQS emulator's.
//
// Local only (LOCAL_ONLY_ENV in lib/settings.ts; a deployed function that has them stops at cold start):
// WEBHOOK_ALLOW_HTTP_LOOPBACK takes `http://127.0.0.1:<port>/...` endpoints (a receiver on this machine;
// on by default locally), LOCAL_HOST_ADDRESSES (`{"name": ["address", ...]}`) answers fixed addresses
// for some names before DNS (a test points a public-looking name at a private address).
import { defineConfig, flag, nonEmpty, optional, positiveInt, refuse, stage, url, withDefault, type Variable } from './define';

const LOCAL_STAGES = new Set(['local', 'test']);

/** `{"name": ["address", ...]}`; unset, none. */
const hostTable: Variable<Record<string, string[]>> = (text = '{}') => {
  try {
    const value = JSON.parse(text) as unknown;
    const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => Array.isArray(v) && v.every((a) => typeof a === 'string'));
    if (ok) return value as Record<string, string[]>;
  } catch {
    /* refused below */
  }
  return refuse('must be a JSON object of names to lists of addresses');
};

export const outboundWebhookConfig = /* @__PURE__ */ defineConfig(
  'outbound webhooks',
  {
    STAGE: withDefault(stage, 'local'),
    WEBHOOK_ENDPOINTS_PER_USER: positiveInt,
    WEBHOOK_RETENTION_DAYS: positiveInt,
    WEBHOOK_ALLOW_HTTP_LOOPBACK: flag,
    LOCAL_HOST_ADDRESSES: hostTable,
  },
  (e) => {
    const local = LOCAL_STAGES.has(e.STAGE);
    if (!local && (e.WEBHOOK_ALLOW_HTTP_LOOPBACK || Object.keys(e.LOCAL_HOST_ADDRESSES).length > 0)) {
      refuse('WEBHOOK_ALLOW_HTTP_LOOPBACK and LOCAL_HOST_ADDRESSES are for the local stack only');
    }
    return {
      endpointsPerUser: e.WEBHOOK_ENDPOINTS_PER_USER,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
      allowHttpLoopback: e.WEBHOOK_ALLOW_HTTP_LOOPBACK,
      fixedHosts: e.LOCAL_HOST_ADDRESSES,
    };
  },
  {
    WEBHOOK_ENDPOINTS_PER_USER: '10',
    WEBHOOK_RETENTION_DAYS: '30',
    WEBHOOK_ALLOW_HTTP_LOOPBACK: '1',
  },
);

export type OutboundWebhookConfig = ReturnType<typeof outboundWebhookConfig>;

/** The local stack's queue, in the SQS emulator. */
export const LOCAL_WEBHOOK_QUEUE = { endpoint: 'http://127.0.0.1:4011', url: 'http://127.0.0.1:4011/000000000000/fonella-local-webhook-deliveries' } as const;

/**
 * The queue the attempts run on (shared/queues/webhook-queue.ts): its URL, and locally the SQS
 * emulator's endpoint. Only the functions that send to it read this.
 */
export const webhookQueueConfig = /* @__PURE__ */ defineConfig(
  'webhook queue',
  { WEBHOOK_QUEUE_URL: url, SQS_ENDPOINT: optional(url), AWS_REGION: nonEmpty },
  (e) => ({ queueUrl: e.WEBHOOK_QUEUE_URL, endpoint: e.SQS_ENDPOINT, region: e.AWS_REGION }),
  { WEBHOOK_QUEUE_URL: LOCAL_WEBHOOK_QUEUE.url, SQS_ENDPOINT: LOCAL_WEBHOOK_QUEUE.endpoint, AWS_REGION: 'eu-central-1' },
);
