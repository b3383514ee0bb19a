// The shape of one entry of the queue workers' manifest (lib/queues.ts): a function fed by an SQS
// queue through Lambda's event source. CDK, the local runtime (lib/local/queues.ts) and the bench read
// it the same way.
import type { ProviderName } from '../errors';

export interface QueueWorkerDef {
  /** Equals the worker's key in the manifest; its queue is `fonella-<stage>-<queue>`. */
  name: string;
  /** The Lambda entry, relative to the repository root. */
  handler: `functions/queues/${string}.ts`;
  summary: string;
  /** The queue's short name (its URL reaches the senders as WEBHOOK_QUEUE_URL). */
  queue: 'webhook-deliveries';
  uses: {
    table?: 'read' | 'write';
    providers?: ProviderName[];
    /** Sends to its own queue too (a message sent on). */
    webhookQueue?: 'send';
  };
  /** Messages per invocation, handled side by side. */
  batchSize: number;
  /** Invocations at once at most (the event source's maximum concurrency, 2..1000). */
  maxConcurrency: number;
  /** The function's timeout. */
  timeoutSeconds: number;
  /** How long a received message stays hidden: at least six times the timeout (AWS's advice for Lambda). */
  visibilityTimeoutSeconds: number;
  /** Receives of a message before it goes to the queue's dead-letter queue. */
  maxReceiveCount: number;
}
