// The queue webhook attempts run on: one SQS message per attempt of one delivery, consumed by the
// deliverWebhook function (lib/queues.ts). Why SQS: an attempt's delay is the message's timer, to the
// second (the schedule starts at 5 s), at SQS's price per message; each message is its own delivery, so
// Lambda's event source runs deliveries side by side and a slow endpoint holds only its own (15 s at
// most). SQS delays a message 15 minutes at most: a longer gap is sent with 15 minutes and the rest in
// the message (`remainingSeconds`), and the consumer sends it on again until none is left, so the
// schedule never reads a clock and the local emulator's clock can be moved by tests. (EventBridge
// Scheduler's one-time schedules would take a gap of any length, but at a minute's granularity, with a
// schedule to create per attempt; Step Functions' Wait states bill each state transition and keep an
// execution per delivery.) Messages cannot be deleted before they are due: a message whose delivery is
// gone (its subscription deleted, its account torn down) is dropped by the consumer when it comes.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { webhookQueueConfig } from '../config/outbound-webhooks';

/** SQS's longest message timer. */
export const MAX_DELAY_SECONDS = 900;

/** One attempt of one delivery: the message's body. */
export interface AttemptMessage {
  userId: string;
  subscriptionId: string;
  eventId: string;
  /** Which attempt of the delivery this is (1 for the first). */
  attempt: number;
  /** Seconds still to wait once the message comes: the part of a gap over 15 minutes. */
  remainingSeconds?: number;
}

export interface WebhookQueue {
  /** Queues the attempt to run after `delaySeconds` (any length: over 15 minutes it is sent on in parts). */
  send(message: Omit<AttemptMessage, 'remainingSeconds'>, delaySeconds: number): Promise<void>;
  /** Sends a message that came early on for the rest of its wait. */
  sendOn(message: AttemptMessage): Promise<void>;
}

/** The message that waits `delaySeconds` in SQS's steps: its timer now, the rest carried. */
export function firstLeg(message: Omit<AttemptMessage, 'remainingSeconds'>, delaySeconds: number): { body: AttemptMessage; delay: number } {
  const total = Math.max(0, Math.ceil(delaySeconds));
  const delay = Math.min(total, MAX_DELAY_SECONDS);
  return { body: total > delay ? { ...message, remainingSeconds: total - delay } : { ...message }, delay };
}

export function sqsWebhookQueue(client: SQSClient, queueUrl: string): WebhookQueue {
  const put = (body: AttemptMessage, delay: number) =>
    client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body), DelaySeconds: delay })).then(() => undefined);
  return {
    send: (message, delaySeconds) => {
      const { body, delay } = firstLeg(message, delaySeconds);
      return put(body, delay);
    },
    sendOn: (message) => {
      const { remainingSeconds = 0, ...rest } = message;
      const { body, delay } = firstLeg(rest, remainingSeconds);
      return put(body, delay);
    },
  };
}

let cached: WebhookQueue | undefined;

/** The function's queue, from its configuration, made once per cold start. */
export function configuredWebhookQueue(): WebhookQueue {
  if (!cached) {
    const c = webhookQueueConfig();
    const client = new SQSClient({
      region: c.region,
      maxAttempts: 3,
      ...(c.endpoint ? { endpoint: c.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    cached = sqsWebhookQueue(client, c.queueUrl);
  }
  return cached;
}
