// The queue workers' manifest: functions fed by an SQS queue, once. The CDK stack makes the queue
// (with its dead-letter queue) and the function with its event source; the local runtime
// (lib/local/queues.ts) polls the SQS emulator's queue the same way and invokes the same handler file.
// Handlers live at functions/queues/.
import type { QueueWorkerDef } from '../shared/streams/queue-worker-def';

export const deliverWebhook = {
  name: 'deliverWebhook',
  handler: 'functions/queues/deliver-webhook.ts',
  summary:
    "Makes one attempt of one webhook delivery: posts the event, signed, to the customer's endpoint through the guarded fetch (15 s), records it, and lets the retry schedule or the endpoint's disabling follow",
  queue: 'webhook-deliveries',
  uses: { table: 'write', webhookQueue: 'send' },
  batchSize: 10,
  maxConcurrency: 50,
  // One attempt is 15 s at most, the table's reads and writes a few more.
  timeoutSeconds: 30,
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
} satisfies QueueWorkerDef;

/** Every queue worker, by name. */
export const queueWorkers: Record<string, QueueWorkerDef> = { deliverWebhook };
