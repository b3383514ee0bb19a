// The shape of one entry of the worker manifest (lib/workers.ts): a function that reacts to rows of
// the table's stream. CDK, the local runtime and the bench read the manifest the same way.
import type { ProviderName } from '../errors';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface WorkerDef {
  /** Equals the worker's key in the manifest. */
  name: string;
  /** The Lambda entry, relative to the repository root. */
  handler: `functions/streams/${string}.ts`;
  summary: string;
  /** Which records reach the worker. Becomes the Lambda event filter (see `filterPattern`). */
  on: {
    events: StreamEventName[];
    /** Prefix of the row's `pk` (the entity), taken from its repository; several: any of them (with `sk`, any pair). */
    pk?: string | readonly string[];
    /** Prefix of the row's `sk`; several: any of them. */
    sk?: string | readonly string[];
    /**
     * Only records where this field differs between the old and the new image. A Lambda filter
     * cannot compare images, so the filter keeps records that have the field and the worker stack
     * drops those where it did not change.
     */
    changed?: string;
  };
  /** What the function touches: drives its grants, its environment and its bundle floor. */
  uses: {
    table?: 'read' | 'write';
    providers?: ProviderName[];
    /** The KMS key of partners' bank details: seal them ('encrypt') or also open them ('decrypt'). */
    payoutKey?: 'encrypt' | 'decrypt';
    /** The webhook attempts' queue (shared/queues/webhook-queue.ts): sends to it. */
    webhookQueue?: 'send';
    /** The data exports' bucket: make download links of its files ('read'), or also write and delete them ('write'). */
    exportsBucket?: 'read' | 'write';
  };
  /** Records per invocation (Lambda's batch size). */
  batchSize: number;
  /** Retries of a failing record before it is parked (the DLQ on AWS, the hub locally). */
  retryAttempts: number;
  /** Records older than this are not retried but parked. */
  maxRecordAgeSeconds: number;
}

/**
 * The Lambda event filter pattern of a worker (FilterCriteria), in the DynamoDB stream record's
 * own shape. The local runtime evaluates the same pattern, so both see the same records.
 */
export function filterPattern(def: Pick<WorkerDef, 'on'>): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  const prefixes = (p: string | readonly string[]) => ({ S: (typeof p === 'string' ? [p] : p).map((prefix) => ({ prefix })) });
  if (def.on.pk) keys.pk = prefixes(def.on.pk);
  if (def.on.sk) keys.sk = prefixes(def.on.sk);
  const dynamodb: Record<string, unknown> = {};
  if (Object.keys(keys).length) dynamodb.Keys = keys;
  if (def.on.changed) dynamodb.NewImage = { [def.on.changed]: [{ exists: true }] };
  return { eventName: [...def.on.events], ...(Object.keys(dynamodb).length ? { dynamodb } : {}) };
}
