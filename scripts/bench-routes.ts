// Part 2 of `npm run bench` (scripts/bench.ts): the cost of one request per route. Starts its own
// local stack (DynamoDB Local, emulators, API, stream tailer on free ports), drives each route's happy
// path (lib/bench-requests.ts) through the local API and gives, per route, the table round trips and
// provider calls of one request, what the stream workers it triggers do afterwards, and the warm
// latency p50/p95 over BENCH_REQUESTS sequential requests after one warm-up. A route without a
// scripted request is listed as such.
//
// Table round trips: a middleware on the product's own DynamoDB client logs every HTTP request to
// DynamoDB, retries included (shared/db/client.ts lets local tooling see each client `tableRef`
// creates; on Lambda nothing sets it, and it imports nothing). The stream tailer reads the stream
// through its own DynamoDBStreamsClient, which is not counted. Provider calls: the emulators' request
// counters (`GET <emulator>/_stats`, read in-process here so they are taken the instant the answer is
// in), minus the JWKS fetch of the local JWT authorizer, API Gateway's work on AWS, not the function's.
//
// Route handler vs. stream workers. Locally both run in this process and share the one cached client
// of `table()`, and a provider emulator cannot tell who called it, so the split is by time. The stack
// loads the workers through this script (`loadWorker`), which holds any worker invocation while a
// measured request is in flight and knows how many are running. So: each request is sent with no
// worker running and nothing touching the table or a provider; what happens until its answer is in
// is the route handler's alone (a worker it triggers waits for the answer, as it would on AWS, where
// it is another Lambda fed by the stream after the write); then the workers run, and what they do
// until the stack is quiet again is reported apart ("then, by stream workers"). "Quiet", after a route
// that may write (only a write feeds the stream): the tailer has handed every record written so far to
// its workers and they are done (its `idle()`, again while they write), then no worker running, nothing
// under way in the stack (its `motion()`: webhook deliveries queued or running, messages waiting for
// the queue's worker) and no table call or provider request for QUIET_MS.
// Latency is thus the route alone, not
// competing with the previous request's workers. (Counting per client or per async context would
// instead need hooks in the API server, and still could not attribute the provider requests.)
//
// One stack per process: the handlers read their configuration (the table's endpoint, the emulators'
// addresses, the secrets) once, at their cold start, and a module is loaded once per process, so a
// second stack started in the same process would be served by handlers still talking to the first,
// stopped one. Hence the admin scenario (scripts/bench-admin.ts) is a command of its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { benchRequests, type BenchRequestBuilder } from '../lib/bench-requests';
import { handlerLoader } from '../lib/local/lambda';
import { startStack, type LocalStack, type StackOptions } from '../lib/local/stack';
import { SUITE_LIMITS } from '../lib/local/limits';
import { routes } from '../lib/routes';
import { observeDynamoClients } from '../shared/db/client';
import type { RouteDef } from '../shared/http/route-def';
import { duration, type Progress } from './bench-progress';

const ROOT = new URL('..', import.meta.url).pathname;
/** Silence after the stream workers are done: a write route's request is followed by at least this. */
const QUIET_MS = 50;
const QUIET_CAP_MS = 10_000;
export const NO_REQUEST = 'no scripted request';
const AUTHORIZER_PATHS = new Set(['auth0 GET /.well-known/jwks.json']);

/** One route's figures; the counts are medians over the requests, with the typical request's detail. */
export interface RouteFigures {
  /** The request sent: method, path and the demo user whose token it carries. */
  request: string;
  /** The manifest's method and path (its parameters unfilled: they change from run to run) with the query sent. */
  route?: string;
  /** The demo user whose token is sent (none for a public route). */
  as?: string;
  /** Why there are no figures (no scripted request, or the request failed). */
  note?: string;
  tableOps?: number;
  /** "2 (GetItem, Query)", with the range over the requests when it varies: "3 (…) [3–4]". */
  tableText?: string;
  providerCalls?: number;
  providerText?: string;
  /** The same without the ranges (which move from run to run): for the README. */
  steady?: { table: string; providers: string; afterwards: string };
  workerTableOps?: number;
  workerProviderCalls?: number;
  /** What the stream workers did afterwards, "-" for nothing. */
  afterwards?: string;
  p50Ms?: number;
  p95Ms?: number;
}

interface Sample {
  table: string[];
  providers: string[];
  workerTable: string[];
  workerProviders: string[];
  ms: number;
}

/** Drives each named route's happy path `requests` times (after a warm-up) on a local stack of its own. */
export async function measureRoutes(names: string[], opts: { requests: number; progress: Progress }): Promise<Map<string, RouteFigures>> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

  /** Every DynamoDB round trip of the product's clients, by command, in order. */
  const tableLog: string[] = [];
  const unobserve = observeDynamoClients((client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        // The deserialize step runs once per HTTP attempt (after the retry middleware).
        tableLog.push((context.commandName ?? 'unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'deserialize', name: 'benchCountTableRoundTrips' },
    ),
  );

  // Stream workers, loaded through here: held while `gate` is closed, counted while they run.
  type WorkerLoader = NonNullable<StackOptions['loadWorker']>;
  type WorkerHandler = Awaited<ReturnType<WorkerLoader>>;
  const importWorker = handlerLoader<WorkerHandler>(ROOT);
  const heldWorkers = new Map<string, WorkerHandler>();
  let gate: Promise<void> = Promise.resolve();
  let workersRunning = 0;
  const loadWorker: WorkerLoader = async (file) => {
    let held = heldWorkers.get(file);
    if (!held) {
      const handler = await importWorker(file);
      held = async (event, context) => {
        workersRunning += 1;
        try {
          await gate;
          return await handler(event, context);
        } finally {
          workersRunning -= 1;
        }
      };
      held.lastErrors = handler.lastErrors;
      heldWorkers.set(file, held);
    }
    return held;
  };

  /** Provider requests so far, one entry per request: `<emulator> <METHOD> <path>`. */
  function providerCounts(stack: LocalStack): Map<string, number> {
    const out = new Map<string, number>();
    for (const emu of stack.running) {
      for (const [path, n] of Object.entries(emu.stats().byPath)) {
        const key = `${emu.name} ${path}`;
        if (!AUTHORIZER_PATHS.has(key)) out.set(key, n);
      }
    }
    return out;
  }

  function providersSince(before: Map<string, number>, after: Map<string, number>): string[] {
    const calls: string[] = [];
    for (const [key, n] of after) for (let i = before.get(key) ?? 0; i < n; i++) calls.push(key.split(' ')[0]!);
    return calls;
  }

  /** What has happened so far: table calls, provider requests, and the work the stack has begun (its `motion()`). */
  function activity(stack: LocalStack): string {
    return `${tableLog.length}:${[...providerCounts(stack).values()].reduce((a, b) => a + b, 0)}:${stack.motion().started}`;
  }

  /**
   * Waits until the stream workers have handled every record written so far, those their own writes
   * made included (the tailer's `idle()`, again while the table log grows), then until no worker runs,
   * the stack has nothing under way (its `motion()`: a webhook delivery queued or running, a message
   * waiting for the queue's worker) and nothing has touched the table or a provider for `ms`: what
   * runs on its own, such as an emulator's webhook delivery and what it writes.
   */
  async function quiet(stack: LocalStack, ms: number): Promise<void> {
    const start = performance.now();
    const left = () => QUIET_CAP_MS - (performance.now() - start);
    // Only a write feeds the stream. Each wait is bounded by what is left of the cap: a tailer that
    // cannot read (DynamoDB Local gone) or a worker that keeps retrying holds the run no longer.
    for (let seen = -1; ms > 0 && seen !== tableLog.length && left() > 0; ) {
      seen = tableLog.length;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stack.streams.idle(), new Promise<void>((r) => (timer = setTimeout(r, left())))]);
      clearTimeout(timer);
    }
    let last = activity(stack);
    let since = performance.now();
    while ((workersRunning > 0 || stack.motion().active > 0 || performance.now() - since < ms) && performance.now() - start < QUIET_CAP_MS) {
      await sleep(Math.min(10, ms));
      const now = activity(stack);
      if (now !== last || workersRunning > 0 || stack.motion().active > 0) {
        last = now;
        since = performance.now();
      }
    }
  }

  async function drive(
    stack: LocalStack,
    def: RouteDef,
    build: BenchRequestBuilder,
    onRequest: (n: number) => void,
  ): Promise<{ request: string; route: string; as?: string; samples: Sample[]; note?: string }> {
    const first = build(stack, 0);
    const as = first.token;
    const sent = first.path ?? def.path;
    const request = `${first.method ?? def.method} ${sent}${as ? ` (${as})` : ''}`;
    const route = `${first.method ?? def.method} ${def.path}${sent.includes('?') ? sent.slice(sent.indexOf('?')) : ''}`;
    const quietMs = def.uses.table === 'write' ? QUIET_MS : 0;

    async function once(n: number): Promise<Sample | string> {
      const r = build(stack, n);
      const path = r.path ?? def.path;
      if (path.includes('{')) return `the path has parameters: set \`path\` in lib/bench-requests.ts`;
      const headers: Record<string, string> = { ...r.headers };
      if (r.body !== undefined) headers['content-type'] ??= 'application/json';
      if (r.token) headers.authorization = `Bearer ${stack.tokens[r.token]}`;
      const prepared = await r.prepare?.(stack);
      if (prepared?.bearer) headers.authorization = `Bearer ${prepared.bearer}`;

      // Sent on a quiet stack (the previous request's workers are done); workers wait for the answer.
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      let res: Response;
      let tableAfter: number;
      let providersAfter: Map<string, number>;
      const tableBefore = tableLog.length;
      const providersBefore = providerCounts(stack);
      const t0 = performance.now();
      try {
        res = await fetch(`${stack.apiUrl}${path}`, {
          method: r.method ?? def.method,
          headers,
          body: r.body === undefined ? undefined : JSON.stringify(r.body),
        });
        // The handler has returned once the answer's head is here: take the counts now, synchronously.
        tableAfter = tableLog.length;
        providersAfter = providerCounts(stack);
      } finally {
        open();
      }
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== def.response.status) {
        return `answered ${res.status} (expected ${def.response.status}): ${text.slice(0, 200)}`;
      }

      await quiet(stack, quietMs); // its workers are done
      return {
        table: tableLog.slice(tableBefore, tableAfter),
        providers: providersSince(providersBefore, providersAfter),
        workerTable: tableLog.slice(tableAfter),
        workerProviders: providersSince(providersAfter, providerCounts(stack)),
        ms,
      };
    }

    await quiet(stack, QUIET_MS);
    // The warm-up pays the handler's cold start (module load), as the first request on Lambda does.
    const warm = await once(0);
    if (typeof warm === 'string') return { request, route, as, samples: [], note: warm };
    const samples: Sample[] = [];
    for (let n = 1; n <= opts.requests; n++) {
      onRequest(n);
      const sample = await once(n);
      if (typeof sample === 'string') return { request, route, as, samples: [], note: sample };
      samples.push(sample);
    }
    return { request, route, as, samples };
  }

  opts.progress.update('routes: starting a local stack');
  const started = performance.now();
  const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, loadWorker, hotlineDemo: true, env: SUITE_LIMITS });
  const out = new Map<string, RouteFigures>();
  try {
    for (const [i, name] of names.entries()) {
      const def = (routes as Record<string, RouteDef>)[name]!;
      const build = (benchRequests as Record<string, BenchRequestBuilder | undefined>)[name];
      if (!build) {
        out.set(name, { request: '', route: `${def.method} ${def.path}`, note: NO_REQUEST });
        continue;
      }
      const { request, route, as, samples, note } = await drive(stack, def, build, (n) => opts.progress.update(`routes: ${name} (${i + 1}/${names.length}), request ${n}/${opts.requests}`));
      out.set(name, note ? { request, route, as, note } : { request, route, as, ...figures(samples) });
    }
  } finally {
    await stack.stop();
    unobserve();
  }
  opts.progress.done(`routes: ${names.length} routes, ${opts.requests} requests each, in ${duration(performance.now() - started)}`);
  return out;
}

function figures(samples: Sample[]): Omit<RouteFigures, 'request'> {
  const ms = samples.map((x) => x.ms);
  const table = figure(samples, (x) => x.table);
  const providers = figure(samples, (x) => x.providers);
  const workerTable = figure(samples, (x) => x.workerTable);
  const workerProviders = figure(samples, (x) => x.workerProviders);
  const nothingAfter = workerTable.median === 0 && workerProviders.median === 0 && !workerTable.text.includes('[') && !workerProviders.text.includes('[');
  const steadyAfter = workerTable.median === 0 && workerProviders.median === 0 ? '-' : `table ${workerTable.steady}; providers ${workerProviders.steady}`;
  return {
    tableOps: table.median,
    tableText: table.text,
    providerCalls: providers.median,
    providerText: providers.text,
    workerTableOps: workerTable.median,
    workerProviderCalls: workerProviders.median,
    afterwards: nothingAfter ? '-' : `table ${workerTable.text}; providers ${workerProviders.text}`,
    steady: { table: table.steady, providers: providers.steady, afterwards: steadyAfter },
    p50Ms: pct(ms, 50),
    p95Ms: pct(ms, 95),
  };
}

/** The median count of a figure over the samples, the sample that shows it, and the range. */
function figure(samples: Sample[], pick: (s: Sample) => string[]) {
  const counts = samples.map((x) => pick(x).length).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)]!;
  const typical = pick(samples.find((x) => pick(x).length === median)!);
  const min = counts[0]!;
  const max = counts.at(-1)!;
  const what = typical.length ? ` (${summarize(typical)})` : '';
  return { median, steady: `${median}${what}`, text: `${median}${what}${min === max ? '' : ` [${min}–${max}]`}` };
}

/** ["GetItem", "UpdateItem", "GetItem"] → "GetItem ×2, UpdateItem" (first-seen order). */
function summarize(items: string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
