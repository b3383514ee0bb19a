// The local event source mapping: tails the table's stream on DynamoDB Local, as Lambda's DynamoDB
// event source does on AWS, and invokes the worker handler files (lib/workers.ts) with the same
// `DynamoDBStreamEvent`:
// - every shard is read from its start; new shards are found as they appear, a child shard is read
//   once its parent is finished (stream order per key holds);
// - each worker gets only the records its filter pattern matches (the same pattern CDK deploys);
// - batches of up to `batchSize`; a partial batch response moves the checkpoint to the first failed
//   record and the rest is retried from there, with backoff, `retryAttempts` times; a thrown error
//   bisects the batch first (as `bisectBatchOnError`); what still fails is parked, shown by the hub
//   and re-driven on request (the SQS on-failure queue on AWS).
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { filterPattern, type WorkerDef } from '../../shared/streams/worker-def';
import { dynamoClient } from './dynamo';
import { handlerLoader, invoke as inScope, lambdaContext, withTimeout } from './lambda';
import { motionCounter, type Motion } from './emulators/kit';
import type { Trace } from './trace';

type WorkerHandler = ((event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>) & {
  lastErrors?: () => Map<string, string>;
};

export interface ParkedRecord {
  id: string;
  worker: string;
  event: string;
  keys: { pk?: string; sk?: string };
  eventId: string;
  sequenceNumber: string;
  attempts: number;
  lastError: string;
  parkedAt: string;
  record: DynamoDBRecord;
}

export interface StreamTailerOptions {
  endpoint: string;
  tableName: string;
  workers: Record<string, WorkerDef>;
  /** Repository root: handler paths in the manifest are relative to it. */
  root: string;
  /**
   * Pause after a pass that found nothing new. Default 20 ms; it doubles with each quiet pass up to
   * `quietPollMs`, and `kick()` (a request the API served, a worker's invocation, `idle()`) brings it
   * back at once: a quiet stack costs DynamoDB Local a few reads a second, not fifty.
   */
  pollMs?: number;
  /** The longest pause between passes while nothing happens. Default 250 ms. */
  quietPollMs?: number;
  /** First retry delay; it doubles per attempt. Default 100 ms. */
  retryBaseMs?: number;
  /** Loads a worker's handler; defaults to importing its file. */
  load?: (file: string) => Promise<WorkerHandler>;
  /** Records each invocation: its worker, records and their outcome (./trace.ts). */
  trace?: Pick<Trace, 'workerStarted' | 'workerEnded'>;
  /** The client the stream is read with; defaults to one for `endpoint` (a test adds a fault to its middleware). */
  streamsClient?: DynamoDBStreamsClient;
}

export interface RunningTailer {
  parked(): ParkedRecord[];
  /** Hands parked records (one by id, or all) back to their worker with fresh attempts. */
  redrive(id?: string): number;
  /** Resolves once everything written before the call has been read and handled (or parked). */
  idle(): Promise<void>;
  /** Something may have been written: read the stream now, and keep reading briskly for a while. */
  kick(): void;
  /**
   * Calls `listener` with every record read from the stream, whatever the workers' filters, in stream
   * order per key (the tests' change journal, test/support/state.ts). Answers the unsubscribe.
   */
  onRecord(listener: (record: DynamoDBRecord) => void): () => void;
  /** The workers handling records right now: how many wait, and the retries of the first one. */
  busy(): { worker: string; queued: number; attempts: number; lastError?: string }[];
  /** The workers handling records (a lane's run until its queue is empty), and how many such runs began. */
  motion(): Motion;
  stop(): Promise<void>;
}

const INVOKE_TIMEOUT_MS = 30_000;
/**
 * A stream read (GetRecords, a shard list) given up and sent again after this long. Such a read
 * answers in milliseconds when DynamoDB Local answers at all, so this is shorter than the local
 * tooling's table timeout (15 s, lib/local/stack.ts): a slow answer is retried, a lost one not awaited.
 */
const STREAM_READ_TIMEOUT_MS = 5_000;
const SHARD_SCAN_MS = 1000;

export async function startStreamTailer(opts: StreamTailerOptions): Promise<RunningTailer> {
  const region = 'eu-central-1';
  const table = dynamoClient(opts.endpoint);
  const described = await table.send(new DescribeTableCommand({ TableName: opts.tableName }));
  table.destroy();
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream: create it from shared/db/table.ts`);

  const streams =
    opts.streamsClient ??
    new DynamoDBStreamsClient({
      endpoint: opts.endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // A read DynamoDB Local leaves unanswered (a busy machine, a stalled socket) is given up and sent
      // again rather than awaited for ever: the tailer, and every `idle()` waiting on it, would stop.
      requestHandler: { connectionTimeout: 2000, requestTimeout: STREAM_READ_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  const pollMs = opts.pollMs ?? 20;
  const quietPollMs = Math.max(pollMs, opts.quietPollMs ?? 250);
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const load = opts.load ?? handlerLoader<WorkerHandler>(opts.root);
  const abort = new AbortController();
  const { signal } = abort;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);

  class Lane {
    queue: DynamoDBRecord[] = [];
    busy: Promise<void> | undefined;
    /** Failed tries of the batch at the head of the queue, and the last one's error. */
    attempts = 0;
    lastError: string | undefined;
    constructor(
      readonly def: WorkerDef,
      readonly pattern: Record<string, unknown>,
    ) {}

    push(records: DynamoDBRecord[]) {
      this.queue.push(...records);
      if (!this.busy) {
        const end = drains.begin();
        this.busy = this.drain().finally(() => {
          this.busy = undefined;
          end();
        });
      }
    }

    private async drain() {
      const { def } = this;
      let limit = def.batchSize;
      this.attempts = 0;
      while (this.queue.length > 0 && !signal.aborted) {
        const batch = this.queue.slice(0, limit);
        const outcome = await invoke(def, batch);
        // What the worker wrote is on the stream now.
        kick();
        if (signal.aborted) return;
        if (outcome.ok) {
          this.queue.splice(0, batch.length);
          limit = def.batchSize;
          this.attempts = 0;
          this.lastError = undefined;
          continue;
        }
        if (outcome.failedFrom === 0 && outcome.threw && batch.length > 1) {
          limit = Math.ceil(batch.length / 2); // bisect: not counted as a retry
          continue;
        }
        // The checkpoint moves to the first failed record: what came before it is done.
        this.queue.splice(0, outcome.failedFrom);
        const rest = batch.slice(outcome.failedFrom);
        this.attempts += 1;
        this.lastError = outcome.message;
        const tooOld = rest.some((r) => ageSeconds(r) > def.maxRecordAgeSeconds);
        if (this.attempts > def.retryAttempts || tooOld) {
          for (const r of rest.filter((x) => outcome.failed.has(seq(x)))) {
            parked.push(park(def, r, this.attempts, outcome.errors.get(seq(r)) ?? outcome.message));
          }
          // The others in `rest` succeeded on this last attempt.
          this.queue.splice(0, rest.length);
          limit = def.batchSize;
          this.attempts = 0;
          this.lastError = undefined;
          continue;
        }
        limit = Math.max(1, rest.length);
        await pause(retryBaseMs * 2 ** (this.attempts - 1));
      }
    }
  }

  /** A lane's drain (its worker's invocations, one after the other, until its queue is empty): the tailer's motion. */
  const drains = motionCounter();
  const lanes = Object.values(opts.workers).map((def) => new Lane(def, filterPattern(def)));
  const parked: ParkedRecord[] = [];

  async function invoke(def: WorkerDef, batch: DynamoDBRecord[]) {
    const handler = await load(def.handler);
    let result: DynamoDBBatchResponse | void | undefined;
    let message = '';
    let threw = false;
    const context = lambdaContext(def.name, INVOKE_TIMEOUT_MS);
    opts.trace?.workerStarted(context.awsRequestId, def.name, batch);
    try {
      const done = await withTimeout(
        // Its lane's run counts until the handler ends, past a timeout too (it may still write).
        inScope(context, () => handler({ Records: batch }, context)).then((r) => ({ r })).finally(drains.begin()),
        INVOKE_TIMEOUT_MS,
      );
      if (!done) throw new Error(`Task timed out after ${INVOKE_TIMEOUT_MS / 1000} seconds`);
      result = done.r;
    } catch (err) {
      threw = true;
      message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const errors = handler.lastErrors?.() ?? new Map<string, string>();
    const reported = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const failed = threw ? new Set(batch.map(seq)) : reported;
    opts.trace?.workerEnded(context.awsRequestId, { failed, errors, ...(threw ? { error: message } : {}) });
    if (failed.size === 0) return { ok: true as const };
    const failedFrom = batch.findIndex((r) => failed.has(seq(r)));
    return { ok: false as const, failedFrom: Math.max(0, failedFrom), failed, threw, errors, message: message || 'reported as failed' };
  }

  function park(def: WorkerDef, record: DynamoDBRecord, attempts: number, lastError: string): ParkedRecord {
    const keys = record.dynamodb?.Keys ?? {};
    return {
      id: randomUUID(),
      worker: def.name,
      event: record.eventName ?? '',
      keys: { pk: keys.pk?.S, sk: keys.sk?.S },
      eventId: record.eventID ?? '',
      sequenceNumber: seq(record),
      attempts,
      lastError,
      parkedAt: new Date().toISOString(),
      record,
    };
  }

  // --- reading the stream -------------------------------------------------------------------------
  const iterators = new Map<string, string>(); // open shard → next iterator
  const lastRead = new Map<string, string>(); // shard → sequence number of the last record read from it
  const reopened = new Map<string, 'after' | 'horizon'>(); // shard → how its iterator was last taken again
  const finished = new Set<string>();
  const known = new Map<string, Shard>();

  async function scanShards() {
    let start: string | undefined;
    do {
      const res = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of res.StreamDescription?.Shards ?? []) if (shard.ShardId) known.set(shard.ShardId, shard);
      start = res.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const [id, shard] of known) {
      if (iterators.has(id) || finished.has(id)) continue;
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !finished.has(parent)) continue; // after its parent
      const it = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      if (it.ShardIterator) iterators.set(id, it.ShardIterator);
    }
  }

  /** Records read in one pass over the open shards; `complete` is false when a shard could not be read (its iterator was taken again). */
  async function readShards(): Promise<{ count: number; complete: boolean }> {
    let count = 0;
    let complete = true;
    for (const [id, iterator] of iterators) {
      let res;
      try {
        res = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw err;
        // DynamoDB Local now and then answers TrimmedDataAccessException to an iterator in use (one
        // taken while its shard was still empty, once the first record is in: aws/aws-sdk-java#2923;
        // and mid-shard, as a test run showed); an iterator also expires.
        // Either way the shard is read again after its last record read; should even that be refused,
        // from its oldest record, handing on only what comes after the last record read (below).
        const after = reopened.get(id) === 'after' ? undefined : lastRead.get(id);
        reopened.set(id, after ? 'after' : 'horizon');
        console.error(`[streams] shard ${id}: ${name}; reading it again ${after ? `after ${after}` : 'from its oldest record'}`);
        const again = await streams.send(
          new GetShardIteratorCommand(
            after
              ? { StreamArn: streamArn, ShardId: id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
              : { StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' },
          ),
        );
        if (again.ShardIterator) iterators.set(id, again.ShardIterator);
        complete = false;
        continue;
      }
      reopened.delete(id);
      // Sequence numbers grow within a shard: what is not after the last record read was handed on already.
      const before = lastRead.get(id);
      const fresh = (res.Records ?? []).filter((r) => !before || !r.dynamodb?.SequenceNumber || BigInt(r.dynamodb.SequenceNumber) > BigInt(before));
      const last = fresh.at(-1)?.dynamodb?.SequenceNumber;
      if (last) lastRead.set(id, last);
      const records = fresh.map((r) => toLambdaRecord(r, streamArn!, region));
      count += records.length;
      for (const listener of listeners) for (const r of records) listener(r);
      for (const lane of lanes) {
        const mine = records.filter((r) => matches(lane.pattern, r));
        if (mine.length) lane.push(mine);
      }
      if (res.NextShardIterator) iterators.set(id, res.NextShardIterator);
      else {
        iterators.delete(id);
        finished.add(id);
      }
    }
    return { count, complete };
  }

  const listeners = new Set<(record: DynamoDBRecord) => void>();
  let lastScan = 0;
  let quiet = 0; // passes in a row that found nothing
  let wake: (() => void) | undefined;
  const cycleWaiters: (() => void)[] = [];
  /** Sleeps `ms`, or less when kicked or stopped. */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      wake = done;
    });
  function kick() {
    quiet = 0;
    wake?.();
  }
  const nextCycle = () => new Promise<void>((resolve) => cycleWaiters.push(resolve));
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        if (Date.now() - lastScan > SHARD_SCAN_MS || iterators.size === 0) {
          lastScan = Date.now();
          await scanShards();
        }
        const { count: n, complete } = await readShards();
        // A pass that could not read a shard has not read everything: `idle()` waits for the next.
        if (complete) for (const release of cycleWaiters.splice(0)) release();
        if (n > 0) quiet = 0;
        else if (!complete) {
          quiet = 0;
          await nap(pollMs);
        } else await nap(Math.min(pollMs * 2 ** quiet++, quietPollMs));
      } catch (err) {
        if (signal.aborted) break;
        console.error('[streams] reading the stream failed; retrying:', err);
        await pause(500);
      }
    }
    for (const release of cycleWaiters.splice(0)) release();
  })();

  return {
    parked: () => [...parked],
    redrive(id) {
      const chosen = parked.filter((p) => id === undefined || p.id === id);
      for (const p of chosen) {
        parked.splice(parked.indexOf(p), 1);
        lanes.find((l) => l.def.name === p.worker)?.push([p.record]);
      }
      return chosen.length;
    },
    async idle() {
      // A pass that started after this call has read everything written before it: the pass under
      // way may have started before, so the second one to end is the first that surely started after.
      // Its shard list is read again first, so a shard opened since the last list is read too.
      lastScan = 0;
      for (let i = 0; i < 2 && !signal.aborted; i++) {
        const ended = nextCycle();
        kick();
        await ended;
      }
      for (;;) {
        const busy = lanes.map((l) => l.busy).filter(Boolean);
        if (busy.length === 0 || signal.aborted) return;
        await Promise.all(busy);
      }
    },
    kick,
    motion: drains.motion,
    onRecord(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    busy() {
      return lanes
        .filter((l) => l.busy)
        .map((l) => ({ worker: l.def.name, queued: l.queue.length, attempts: l.attempts, ...(l.lastError ? { lastError: l.lastError } : {}) }));
    },
    async stop() {
      abort.abort();
      await loop;
      await Promise.all(lanes.map((l) => l.busy));
      streams.destroy();
    },
  };
}

const seq = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber ?? '';
const ageSeconds = (r: DynamoDBRecord) => Date.now() / 1000 - (r.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000);

/** A record as the Lambda event carries it (the SDK returns the creation time as a Date). */
/**
 * An image as Lambda delivers it. An empty map reaches us from DynamoDB Local's stream as `{}` (no
 * type key), which no unmarshaller reads; Lambda delivers `{"M": {}}`.
 */
function image(img: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!img) return img;
  const value = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const a = v as Record<string, unknown>;
    if (Object.keys(a).length === 0) return { M: {} };
    if (a.M) return { M: image(a.M as Record<string, unknown>) };
    if (Array.isArray(a.L)) return { L: a.L.map(value) };
    return a;
  };
  return Object.fromEntries(Object.entries(img).map(([k, v]) => [k, value(v)]));
}

function toLambdaRecord(r: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : Math.floor(Date.now() / 1000),
      Keys: d.Keys as never,
      NewImage: image(d.NewImage) as never,
      OldImage: image(d.OldImage) as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}

/**
 * Lambda event filtering, for the patterns `filterPattern` builds: nested objects, and arrays of
 * alternatives that are literal values, `{ prefix }` or `{ exists }`.
 */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((alt) => {
      if (alt !== null && typeof alt === 'object') {
        const rule = alt as { prefix?: string; exists?: boolean };
        if (rule.exists !== undefined) return rule.exists === (value !== undefined);
        if (rule.prefix !== undefined) return typeof value === 'string' && value.startsWith(rule.prefix);
        return false;
      }
      return value === alt;
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    const obj = (value ?? {}) as Record<string, unknown>;
    return Object.entries(pattern).every(([k, sub]) => matches(sub, obj[k]));
  }
  return pattern === value;
}
