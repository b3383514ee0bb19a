// The local SQS event source mapping: polls each queue worker's queue (lib/queues.ts) on the SQS
// emulator with the real SDK, as Lambda's SQS event source does on AWS, and invokes the worker's handler
// file with the same `SQSEvent`: batches of up to `batchSize`, up to a few invocations at once (each
// message is its own delivery), long polling; a partial batch response deletes the messages that
// succeeded, and the failed ones come back after the visibility timeout (their receives counted; the
// emulator's redrive policy moves them to the dead-letter queue in the end).
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueWorkerDef } from '../../shared/streams/queue-worker-def';
import { motionCounter, type Motion } from './emulators/kit';
import { handlerLoader, invoke as inScope, lambdaContext, withTimeout } from './lambda';

type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface QueuePollerOptions {
  /** The SQS emulator's endpoint. */
  endpoint: string;
  /** Each worker's queue URL, by the manifest's queue name. */
  queueUrls: Record<QueueWorkerDef['queue'], string>;
  workers: Record<string, QueueWorkerDef>;
  root: string;
  /** Invocations at once per worker; default 4 (the manifest's maximum concurrency is AWS's). */
  concurrency?: number;
  load?: (file: string) => Promise<QueueHandler>;
}

export interface RunningQueuePoller {
  /**
   * Resolves once no message of the workers' queues is visible and no invocation runs (delayed and
   * hidden messages wait for their time: move the emulator's clock for them). Answers how many
   * messages were handled meanwhile.
   */
  idle(): Promise<number>;
  /** Messages handled since the poller started. */
  handled(): number;
  /** The invocations under way, and how many began (messages waiting are the queue's: its emulator's motion). */
  motion(): Motion;
  stop(): Promise<void>;
}

export async function startQueuePoller(opts: QueuePollerOptions): Promise<RunningQueuePoller> {
  const client = new SQSClient({ endpoint: opts.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const load = opts.load ?? handlerLoader<QueueHandler>(opts.root);
  const abort = new AbortController();
  const concurrency = opts.concurrency ?? 4;
  let handled = 0;
  let running = 0;
  const invocations = motionCounter();

  async function invoke(def: QueueWorkerDef, url: string, records: SQSRecord[]) {
    const handler = await load(def.handler);
    const timeoutMs = def.timeoutSeconds * 1000;
    let failed = new Set<string>(records.map((r) => r.messageId));
    try {
      const context = lambdaContext(def.name, timeoutMs);
      // Under way until the handler ends, past a timeout too (it may still write).
      const done = await withTimeout(inScope(context, () => handler({ Records: records }, context)).then((r) => ({ r })).finally(invocations.begin()), timeoutMs);
      if (!done) throw new Error(`Task timed out after ${def.timeoutSeconds} seconds`);
      failed = new Set((done.r?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      console.error(`[queues] ${def.name} failed a batch of ${records.length}; its messages come back after the visibility timeout:`, err);
    }
    const succeeded = records.filter((r) => !failed.has(r.messageId));
    handled += records.length;
    if (succeeded.length > 0) {
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
    }
  }

  const loops = Object.values(opts.workers).map(async (def) => {
    const url = opts.queueUrls[def.queue];
    const slots = new Set<Promise<void>>();
    while (!abort.signal.aborted) {
      try {
        while (slots.size >= concurrency) await Promise.race(slots);
        const res = await client.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: def.batchSize, WaitTimeSeconds: 1, VisibilityTimeout: def.visibilityTimeoutSeconds, MessageSystemAttributeNames: ['All'] }),
          { abortSignal: abort.signal },
        );
        const messages = res.Messages ?? [];
        if (messages.length === 0) continue;
        const records: SQSRecord[] = messages.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body ?? '',
          attributes: {
            ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
            SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:eu-central-1:000000000000:${url.split('/').pop()}`,
          awsRegion: 'eu-central-1',
        }));
        running += 1;
        const end = invocations.begin();
        const slot = invoke(def, url, records).finally(() => {
          running -= 1;
          end();
          slots.delete(slot);
        });
        slots.add(slot);
      } catch (err) {
        if (abort.signal.aborted) break;
        console.error(`[queues] polling ${def.name}'s queue failed; retrying:`, err);
        await sleep(500, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
    await Promise.all(slots);
  });

  async function visibleMessages(): Promise<number> {
    let n = 0;
    for (const url of new Set(Object.values(opts.workers).map((d) => opts.queueUrls[d.queue]))) {
      const res = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      n += Number(res.Attributes?.ApproximateNumberOfMessages ?? 0);
    }
    return n;
  }

  return {
    async idle() {
      const before = handled;
      // Quiet twice in a row: a message sent just before the first look is received by then.
      for (let quiet = 0; quiet < 2 && !abort.signal.aborted; ) {
        quiet = running === 0 && (await visibleMessages()) === 0 ? quiet + 1 : 0;
        await sleep(20);
      }
      return handled - before;
    },
    handled: () => handled,
    motion: invocations.motion,
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      client.destroy();
    },
  };
}
