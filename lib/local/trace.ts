// The local runtime's trace: what each invocation did, for the hub's request timeline and the console's
// one line per request and per stream record. Every handler runs in this one process, each invocation
// in its own async scope (./lambda.ts `invoke`), so what happens inside a scope is that invocation's:
// - its table commands (a middleware on every table client, shared/db/client.ts `observeDynamoClients`),
//   with the keys each one read or wrote;
// - its provider calls (Node's diagnostics channels for `fetch` and `node:http`, which every SDK uses):
//   method, path and status; a call to an emulator carries a trace header, and the emulator reports the
//   id of what it made (an email's message id, an assistant's id), so the hub links the call to the
//   email or resource it shows;
// - its log lines (the functions' JSON lines on stdout and stderr carry `function_request_id`).
// A stream record's cause is the invocation whose write made it: each successful write of a row is
// queued under the row's keys, and each record read from the stream takes the oldest write queued for
// its keys (a row's records come in the order of its writes; a write that changed nothing makes no
// record and is dropped after a minute). Writes made outside any invocation (the seeding) cause nothing.
import dc from 'node:diagnostics_channel';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamoDBRecord } from 'aws-lambda';
import { observeDynamoClients } from '../../shared/db/client';
import { TRACE_HEADER } from './emulators/kit';
import { currentInvocationId } from './lambda';
import { parseLogLine } from './log-format';


export interface TableOp {
  /** The command without `Command`: GetItem, PutItem, TransactWriteItems... */
  op: string;
  /** The rows it names, `pk / sk` (a Query its partition and index). */
  keys: string[];
  write: boolean;
  /** The error it failed with (a condition not met, a table that did not answer). */
  error?: string;
}

export interface ProviderCall {
  /** The emulator's name, or the host of a real provider. */
  provider: string;
  method: string;
  path: string;
  status?: number;
  durationMs?: number;
  /** The id of what the provider made or answered about (an emulator's JSON `id`). */
  resourceId?: string;
  error?: string;
}

export interface TracedRecord {
  event: string;
  pk: string;
  sk: string;
  sequenceNumber: string;
  outcome?: 'done' | 'failed';
  error?: string;
  /** The invocation whose write made this record. */
  causedBy?: string;
}

interface Common {
  /** The invocation's Lambda request id (a request the gateway answered itself: an id of its own). */
  id: string;
  startedAt: string;
  durationMs?: number;
  logs: Record<string, unknown>[];
  table: TableOp[];
  providers: ProviderCall[];
  /** The worker invocations its writes led to. */
  caused: string[];
}

export interface RequestTrace extends Common {
  kind: 'request';
  /** API Gateway's request id (the functions' log lines carry it as `requestId`). */
  requestId?: string;
  method: string;
  path: string;
  query?: string;
  /** The manifest entry that served it; none when the gateway answered itself. */
  route?: string;
  /** Who called: the token's subject, the webhook's provider, or `public <address>`. */
  caller: string;
  status?: number;
  /** A problem+json answer's `type`, or the gateway's own message. */
  problemType?: string;
}

export interface WorkerTrace extends Common {
  kind: 'worker';
  worker: string;
  records: TracedRecord[];
  /** The invocations whose writes made its records. */
  causedBy: string[];
  /** The error a thrown invocation ended with. */
  error?: string;
}

export type Invocation = RequestTrace | WorkerTrace;

export interface TraceOptions {
  /** Invocations kept, the oldest dropped first. Default 1000. */
  keep?: number;
  /** Log lines kept per invocation. Default 50. */
  logsPerInvocation?: number;
}

export interface Trace {
  /** Emulators by origin (`http://127.0.0.1:4002` → `mailgun`); origins whose calls are not providers' (the table). */
  providers(byOrigin: Record<string, string>, ignore?: string[]): void;
  /** A request the local API received; the handle names its route and ends it. */
  request(input: { method: string; path: string; query?: string; caller: string }): RequestHandle;
  workerStarted(id: string, worker: string, batch: DynamoDBRecord[]): void;
  workerEnded(id: string, outcome: { failed: Set<string>; errors: Map<string, string>; error?: string }): void;
  /** A record read from the stream, whatever the workers' filters (the tailer's `onRecord`). */
  recordRead(record: DynamoDBRecord): void;
  /** An emulator's answer to a traced call (kit.ts `onExchange`). */
  providerAnswered(trace: string, answer: { resourceId?: string }): void;
  /** A line the process wrote; a function's JSON log line joins its invocation. */
  line(text: string): void;
  /** Invocations, oldest first. */
  invocations(): Invocation[];
  /** The last `requests` requests and every worker invocation they led to, oldest first (the hub's timeline). */
  timeline(requests?: number): Invocation[];
  get(id: string): Invocation | undefined;
  /** Called with each invocation once it has ended (the console's short lines). */
  onEnded(listener: (inv: Invocation) => void): () => void;
  stop(): void;
}

export interface RequestHandle {
  readonly id: string;
  /** The route, the invocation serving it (the handle's id becomes the invocation's) and who called. */
  routed(input: { route: string; invocationId: string; requestId: string; caller: string }): void;
  end(status: number, problemType?: string): void;
}

const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
/** How long a write waits for its stream record before it is taken for one that changed nothing. */
const WRITE_MATCH_MS = 60_000;

let active: TraceImpl | undefined;

/** Starts the trace; one at a time per process (a second start replaces the first). */
export function startTrace(opts: TraceOptions = {}): Trace {
  subscribeOnce();
  active?.stop();
  active = new TraceImpl(opts.keep ?? 1000, opts.logsPerInvocation ?? 50);
  return active;
}

class TraceImpl implements Trace {
  private readonly byId = new Map<string, Invocation>();
  private readonly listeners = new Set<(inv: Invocation) => void>();
  /** Successful writes per row key, oldest first, waiting for their stream record. */
  private readonly writes = new Map<string, { id: string; at: number }[]>();
  /** Each record's cause, by sequence number. */
  private readonly causes = new Map<string, string>();
  private byOrigin: Record<string, string> = {};
  private ignored = new Set<string>();
  private readonly calls = new Map<string, ProviderCall>();
  private stopped = false;
  private readonly unobserve: () => void;

  constructor(
    private readonly keep: number,
    private readonly logsPer: number,
  ) {
    this.unobserve = observeDynamoClients((client) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const id = currentInvocationId();
          const trace = active;
          if (!id || !trace) return next(args);
          const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
          const entry: TableOp = { op, keys: keysOf(op, args.input as Record<string, unknown>), write: WRITE_OPS.has(op) };
          try {
            const out = await next(args);
            trace.tableCommand(id, entry);
            return out;
          } catch (err) {
            trace.tableCommand(id, { ...entry, error: err instanceof Error ? err.name : String(err) });
            throw err;
          }
        },
        { step: 'initialize', name: 'localTrace' },
      ),
    );
  }

  providers(byOrigin: Record<string, string>, ignore: string[] = []) {
    this.byOrigin = byOrigin;
    this.ignored = new Set(ignore.map((u) => new URL(u).origin));
  }

  request(input: { method: string; path: string; query?: string; caller: string }): RequestHandle {
    const started = performance.now();
    const inv: RequestTrace = { kind: 'request', id: randomUUID(), startedAt: new Date().toISOString(), logs: [], table: [], providers: [], caused: [], ...input };
    this.add(inv);
    return {
      get id() {
        return inv.id;
      },
      routed: ({ route, invocationId, requestId, caller }) => {
        this.byId.delete(inv.id);
        Object.assign(inv, { id: invocationId, route, requestId, caller });
        this.add(inv);
      },
      end: (status, problemType) => {
        Object.assign(inv, { status, durationMs: Math.round(performance.now() - started), ...(problemType ? { problemType } : {}) });
        this.ended(inv);
      },
    };
  }

  workerStarted(id: string, worker: string, batch: DynamoDBRecord[]) {
    const records = batch.map((r): TracedRecord => {
      const keys = r.dynamodb?.Keys ?? {};
      const sequenceNumber = r.dynamodb?.SequenceNumber ?? '';
      const causedBy = this.causes.get(sequenceNumber);
      return { event: r.eventName ?? '', pk: keys.pk?.S ?? '', sk: keys.sk?.S ?? '', sequenceNumber, ...(causedBy ? { causedBy } : {}) };
    });
    const causedBy = [...new Set(records.map((r) => r.causedBy).filter((c): c is string => c !== undefined))];
    const inv: WorkerTrace = { kind: 'worker', id, worker, startedAt: new Date().toISOString(), records, causedBy, logs: [], table: [], providers: [], caused: [] };
    this.add(inv);
    for (const cause of causedBy) {
      const parent = this.byId.get(cause);
      if (parent && !parent.caused.includes(id)) parent.caused.push(id);
    }
  }

  workerEnded(id: string, outcome: { failed: Set<string>; errors: Map<string, string>; error?: string }) {
    const inv = this.byId.get(id);
    if (inv?.kind !== 'worker') return;
    inv.durationMs = Date.now() - Date.parse(inv.startedAt);
    if (outcome.error) inv.error = outcome.error;
    for (const r of inv.records) {
      const failed = outcome.failed.has(r.sequenceNumber);
      r.outcome = failed ? 'failed' : 'done';
      const error = outcome.errors.get(r.sequenceNumber) ?? (failed ? outcome.error : undefined);
      if (error) r.error = error;
    }
    this.ended(inv);
  }

  recordRead(record: DynamoDBRecord) {
    const keys = record.dynamodb?.Keys ?? {};
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!sequenceNumber || this.causes.has(sequenceNumber)) return;
    const key = rowKey(keys.pk?.S, keys.sk?.S);
    const queue = (this.writes.get(key) ?? []).filter((w) => Date.now() - w.at < WRITE_MATCH_MS);
    const write = queue.shift();
    if (queue.length) this.writes.set(key, queue);
    else this.writes.delete(key);
    if (!write) return;
    this.causes.set(sequenceNumber, write.id);
    // Kept as long as the invocations are, about.
    if (this.causes.size > this.keep * 20) this.causes.delete(this.causes.keys().next().value!);
  }

  tableCommand(id: string, op: TableOp) {
    const inv = this.byId.get(id);
    if (inv) inv.table.push(op);
    if (!op.write || op.error) return;
    for (const key of op.keys) {
      const queue = this.writes.get(key) ?? [];
      queue.push({ id, at: Date.now() });
      this.writes.set(key, queue);
    }
  }

  /** A call leaving this process; undefined when it is not a provider's (the table, the API). */
  callStarted(id: string, origin: string, method: string, path: string): { call: ProviderCall; trace?: string } | undefined {
    if (this.ignored.has(origin)) return undefined;
    const inv = this.byId.get(id);
    if (!inv) return undefined;
    const emulator = this.byOrigin[origin];
    const call: ProviderCall = { provider: emulator ?? new URL(origin).host, method, path: path.split('?')[0]! };
    inv.providers.push(call);
    if (!emulator) return { call };
    const trace = `${id} ${randomUUID()}`;
    this.calls.set(trace, call);
    if (this.calls.size > 1000) this.calls.delete(this.calls.keys().next().value!);
    return { call, trace };
  }

  providerAnswered(trace: string, answer: { resourceId?: string }) {
    const call = this.calls.get(trace);
    if (call && answer.resourceId) call.resourceId = answer.resourceId;
  }

  line(text: string) {
    if (!text.includes('"function_request_id"')) return;
    const parsed = parseLogLine(text);
    if (!parsed) return;
    const inv = this.byId.get(String(parsed.function_request_id));
    if (inv && inv.logs.length < this.logsPer) inv.logs.push(parsed);
  }

  invocations() {
    return [...this.byId.values()];
  }

  timeline(requests = 100) {
    const all = this.invocations();
    const chosen = new Set<string>(all.filter((i) => i.kind === 'request').slice(-requests).map((i) => i.id));
    const pending = [...chosen];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      for (const next of this.byId.get(id)?.caused ?? []) {
        if (!chosen.has(next)) {
          chosen.add(next);
          pending.push(next);
        }
      }
    }
    return all.filter((i) => chosen.has(i.id));
  }

  get(id: string) {
    return this.byId.get(id);
  }

  onEnded(listener: (inv: Invocation) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.unobserve();
    this.listeners.clear();
    if (active === this) active = undefined;
  }

  private add(inv: Invocation) {
    this.byId.set(inv.id, inv);
    while (this.byId.size > this.keep) this.byId.delete(this.byId.keys().next().value!);
  }

  private ended(inv: Invocation) {
    for (const listen of this.listeners) listen(inv);
  }
}

const rowKey = (pk: unknown, sk: unknown) => `${String(pk ?? '')} / ${String(sk ?? '')}`;

/** A key attribute as a string, marshalled (`{S: "x"}`) or not. */
function attr(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'S' in v ? (v as { S: unknown }).S : v;
}

const itemKey = (item: unknown) => {
  const o = (item ?? {}) as Record<string, unknown>;
  return rowKey(attr(o.pk), attr(o.sk));
};

/** The rows a command names: its keys, its items' keys, a Query's partition (and index). */
export function keysOf(op: string, input: Record<string, unknown>): string[] {
  if (op === 'PutItem') return [itemKey(input.Item)];
  if (op === 'GetItem' || op === 'UpdateItem' || op === 'DeleteItem') return [itemKey(input.Key)];
  if (op === 'TransactWriteItems') {
    return ((input.TransactItems ?? []) as Record<string, { Item?: unknown; Key?: unknown }>[]).flatMap((t) =>
      t.Put ? [itemKey(t.Put.Item)] : t.Update ? [itemKey(t.Update.Key)] : t.Delete ? [itemKey(t.Delete.Key)] : [],
    );
  }
  if (op === 'TransactGetItems') return ((input.TransactItems ?? []) as { Get?: { Key?: unknown } }[]).map((t) => itemKey(t.Get?.Key));
  if (op === 'BatchWriteItem' || op === 'BatchGetItem') {
    return Object.values((input.RequestItems ?? {}) as Record<string, unknown>).flatMap((v) =>
      Array.isArray(v)
        ? (v as { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]).map((r) => itemKey(r.PutRequest?.Item ?? r.DeleteRequest?.Key))
        : ((v as { Keys?: unknown[] }).Keys ?? []).map(itemKey),
    );
  }
  if (op === 'Query') {
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const first = Object.values(values).map(attr).find((v) => typeof v === 'string');
    return [`${input.IndexName ? `${String(input.IndexName)}: ` : ''}${String(first ?? '')}`];
  }
  return [];
}

// --- provider calls: Node's diagnostics channels, subscribed once per process ---------------------

interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
  addHeader(name: string, value: string): void;
}

let subscribed = false;
function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  const pending = new WeakMap<object, { call: ProviderCall; started: number }>();
  const begin = (key: object, origin: string, method: string, path: string, setHeader: (v: string) => void) => {
    const id = currentInvocationId();
    if (!id || !active) return;
    const started = active.callStarted(id, origin, method, path);
    if (!started) return;
    if (started.trace) setHeader(started.trace);
    pending.set(key, { call: started.call, started: performance.now() });
  };
  const end = (key: object, status?: number, error?: string) => {
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    p.call.durationMs = Math.round(performance.now() - p.started);
    if (status !== undefined) p.call.status = status;
    if (error) p.call.error = error;
  };
  dc.subscribe('undici:request:create', (m) => {
    const { request } = m as { request: UndiciRequest };
    begin(request, request.origin, request.method, request.path, (v) => request.addHeader(TRACE_HEADER, v));
  });
  dc.subscribe('undici:request:headers', (m) => {
    const { request, response } = m as { request: object; response: { statusCode: number } };
    end(request, response.statusCode);
  });
  dc.subscribe('undici:request:error', (m) => {
    const { request, error } = m as { request: object; error: Error };
    end(request, undefined, error.name);
  });
  dc.subscribe('http.client.request.created', (m) => {
    const { request } = m as { request: { protocol: string; host: string; method: string; path: string; setHeader(n: string, v: string): void; getHeader(n: string): unknown } };
    const port = /:\d+$/.test(String(request.getHeader('host') ?? '')) ? String(request.getHeader('host')).split(':').pop() : undefined;
    const origin = `${request.protocol}//${request.host}${port ? `:${port}` : ''}`;
    begin(request, origin, request.method, request.path, (v) => request.setHeader(TRACE_HEADER, v));
  });
  dc.subscribe('http.client.response.finish', (m) => {
    const { request, response } = m as { request: object; response: IncomingMessage };
    end(request, response.statusCode);
  });
  dc.subscribe('http.client.request.error', (m) => {
    const { request, error } = m as { request: object; error: Error };
    end(request, undefined, error.name);
  });
}
