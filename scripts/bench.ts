// `npm run bench`, in two parts.
// 1. Bundles: builds every function's bundle (routes and stream workers) exactly as CDK does
//    (lib/bundling.ts) and prints, per function, its minified size and module-load time (median over
//    fresh Node processes) beside its floor: a bundle of only the SDK clients the function needs,
//    loaded the same way. A function with secret keys is loaded a second time as on Lambda: its
//    secrets not in its environment but read at load through the Parameters and Secrets extension
//    (its local emulator), so "secrets ms" shows what that read adds to a cold start.
// 2. Cost per request: starts its own local stack (DynamoDB Local, emulators, API, stream tailer on
//    free ports), drives each route's happy path (lib/bench-requests.ts) through the local API and
//    prints, per route, the table round trips and provider calls of one request, and the warm latency
//    p50/p95 over 50 sequential requests after one warm-up. A route without a scripted request is
//    listed as such.
// Figures also go to .local/bench.json. Nothing here asserts: it measures.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { benchRequests, type BenchRequestBuilder } from '../lib/bench-requests';
import { esbuildOptions, floorSource } from '../lib/bundling';
import { createEmulators } from '../lib/local/emulators';
import { startEmulator } from '../lib/local/emulators/kit';
import { LOCAL_SECRET_NAME, createSecretsEmulator } from '../lib/local/emulators/secrets';
import { handlerLoader } from '../lib/local/lambda';
import { startStack, type StackOptions } from '../lib/local/stack';
import { routes } from '../lib/routes';
import { PROVIDER_SECRET_KEYS, functionSecretKeys } from '../lib/settings';
import { workers } from '../lib/workers';
import { observeDynamoClients } from '../shared/db/client';
import type { RouteDef } from '../shared/http/route-def';
import type { WorkerDef } from '../shared/streams/worker-def';

// `-- --admin`: only the admin dashboard's scenario (scripts/bench-admin.ts).
if (process.argv.includes('--admin')) {
  await (await import('./bench-admin')).runAdminBench();
  process.exit(0);
}
// `-- --reindex`: only the rebuild of derived data at scale (scripts/bench-reindex.ts; not in the full run).
if (process.argv.includes('--reindex')) {
  await (await import('./bench-reindex')).runReindexBench();
  process.exit(0);
}
// `-- --hotline-pages`: only the hotline lists' offset pages at 10 000 calls (scripts/bench-hotline-pages.ts; not in the full run).
if (process.argv.includes('--hotline-pages')) {
  await (await import('./bench-hotline-pages')).runHotlinePagesBench();
  process.exit(0);
}

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, '.local', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
mkdirSync(OUT, { recursive: true });

// What a function sees at init on Lambda: its config variables. Local defaults fill the rest.
const env = {
  ...process.env,
  STAGE: 'local',
  AWS_REGION: 'eu-central-1',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

// Asynchronous, so the extension's emulator in this process can answer the loads that read secrets.
const run = promisify(execFile);
async function loadOnce(file: string, extra: Record<string, string> = {}): Promise<number> {
  const url = pathToFileURL(file).href;
  const script = `const t=performance.now();await import(${JSON.stringify(url)});process.stdout.write(String(performance.now()-t));`;
  return Number((await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...env, ...extra }, encoding: 'utf8' })).stdout);
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

async function loadMs(file: string, extra: Record<string, string> = {}): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await loadOnce(file, extra));
  return median(samples);
}

/**
 * A function's load and its floor's, sampled in turns (function, floor, function, ...): whatever else
 * the machine does at the time weighs on both alike, so their ratio holds still between runs.
 */
async function loadPair(file: string, floorFile: string): Promise<[number, number]> {
  const fn: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    fn.push(await loadOnce(file));
    floor.push(await loadOnce(floorFile));
  }
  return [median(fn), median(floor)];
}

async function bundle(entry: string, outfile: string, stdin?: string) {
  const opts = esbuildOptions(entry, outfile);
  if (stdin !== undefined) {
    delete opts.entryPoints;
    opts.stdin = { contents: stdin, resolveDir: ROOT, loader: 'js' };
  }
  await build(opts);
  return statSync(outfile).size;
}

interface Row {
  function: string;
  kind: 'route' | 'worker';
  bytes: number;
  loadMs: number;
  /** Load time with the function's secret keys read at load through the extension; null without secret keys. */
  loadWithSecretsMs: number | null;
  floorBytes: number;
  floorLoadMs: number;
  ratio: number;
  bytesRatio: number;
  floor: string;
  // Routes only (part 2); null when the route has no scripted request or its request failed.
  /** Table round trips the route handler makes per request. */
  tableOps?: number | null;
  /** Provider (emulator) requests the route handler makes per request. */
  providerCalls?: number | null;
  warmP50Ms?: number | null;
  warmP95Ms?: number | null;
  /** What the stream workers the request triggers do afterwards, per request. */
  workerTableOps?: number | null;
  workerProviderCalls?: number | null;
  /** Why the figures are null. */
  note?: string;
}

const rows: Row[] = [];
const functions: [string, 'route' | 'worker', Pick<RouteDef | WorkerDef, 'handler' | 'uses'>][] = [
  ...Object.entries(routes as Record<string, RouteDef>).map(([n, r]) => [n, 'route', r] as const),
  ...Object.entries(workers as Record<string, WorkerDef>).map(([n, w]) => [n, 'worker', w] as const),
] as never;
// The stage secret as the local stack serves it: its emulators' credentials (shared/config/secrets.ts).
const credentials: Record<string, string> = Object.assign({}, ...createEmulators().all.map(({ definition }) => definition.env('http://127.0.0.1:1')));
const extension = await startEmulator(
  // Every key a function may read; one no emulator names (a webhook secret) gets a stand-in value:
  // the bench measures the read, not what is read.
  createSecretsEmulator({ secrets: { [LOCAL_SECRET_NAME]: Object.fromEntries(PROVIDER_SECRET_KEYS.map((k) => [k, credentials[k] ?? 'bench-stand-in'])) } }),
  { port: 0 },
);
for (const [name, kind, r] of functions) {
  const file = join(OUT, `${name}.mjs`);
  const floorFile = join(OUT, `${name}.floor.mjs`);
  const bytes = await bundle(join(ROOT, r.handler), file);
  const floorBytes = await bundle('', floorFile, floorSource(r.uses));
  const [fnMs, floorMs] = await loadPair(file, floorFile);
  // One read of the stage secret, whatever the number of keys (a Vapi webhook's shared secret is one more key).
  const keys = functionSecretKeys(r.uses.providers);
  const secretsMs = keys.length === 0 ? null : await loadMs(file, {
    ...extension.definition.env(extension.baseUrl),
    PROVIDER_SECRET_NAME: LOCAL_SECRET_NAME,
    SECRET_KEYS: keys.join(','),
    ...Object.fromEntries(keys.map((k) => [k, ''])),
  });
  const floor = [r.uses.table ? 'dynamodb' : '', ...(r.uses.providers ?? [])].filter(Boolean).join('+') || '(none)';
  rows.push({
    function: name,
    kind,
    bytes,
    loadMs: round(fnMs),
    loadWithSecretsMs: secretsMs === null ? null : round(secretsMs),
    floorBytes,
    floorLoadMs: round(floorMs),
    ratio: round(fnMs / floorMs),
    bytesRatio: round(bytes / floorBytes),
    floor,
  });
}
await extension.close();

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`node ${process.version}, median of ${RUNS} fresh processes per bundle\n`);
printTable(
  ['function', 'bytes', 'load ms', 'secrets ms', 'floor', 'floor bytes', 'floor ms', 'load ×', 'bytes ×'],
  rows.map((r) => [
    r.kind === 'worker' ? `${r.function} (stream)` : r.function,
    kb(r.bytes),
    r.loadMs.toFixed(1),
    r.loadWithSecretsMs === null ? '-' : r.loadWithSecretsMs.toFixed(1),
    r.floor,
    kb(r.floorBytes),
    r.floorLoadMs.toFixed(1),
    r.floorBytes < 1024 ? 'n/a' : r.ratio.toFixed(2),
    r.floorBytes < 1024 ? 'n/a' : r.bytesRatio.toFixed(2),
  ]),
  [0, 4],
);
console.log('\n"n/a": the floor is an empty module (no SDK needed), so a ratio says nothing; see bytes and ms.');
console.log('"secrets ms": the load with its secret keys read through the extension (here its local emulator); "-": no');
console.log('secret keys. On Lambda the extension\'s first read of a sandbox also waits on Secrets Manager.');

// --- 2. cost per request ---------------------------------------------------------------------------
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
// until the stack is quiet again is reported apart ("then, by stream workers"). "Quiet": no worker
// running and, after a route that may write (only a write feeds the stream), no table call or provider
// request for QUIET_MS, well above the tailer's 20 ms poll. Latency is thus the route alone, not
// competing with the previous request's workers. (Counting per client or per async context would
// instead need hooks in the API server, and still could not attribute the provider requests.)
const QUIET_MS = 150;
const QUIET_CAP_MS = 10_000;
const NO_REQUEST = 'no scripted request';
const AUTHORIZER_PATHS = new Set(['auth0 GET /.well-known/jwks.json']);

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

/** Every DynamoDB round trip of the product's clients, by command, in order. */
const tableLog: string[] = [];
observeDynamoClients((client) =>
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

interface Sample {
  table: string[];
  providers: string[];
  workerTable: string[];
  workerProviders: string[];
  ms: number;
}

interface RouteResult {
  request?: string;
  samples: Sample[];
  note?: string;
}

/** Provider requests so far, one entry per request: `<emulator> <METHOD> <path>`. */
function providerCounts(): Map<string, number> {
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

function activity(): string {
  return `${tableLog.length}:${[...providerCounts().values()].reduce((a, b) => a + b, 0)}`;
}

/** Waits until no worker runs and nothing has touched the table or a provider for `ms`. */
async function quiet(ms: number): Promise<void> {
  const start = performance.now();
  let last = activity();
  let since = performance.now();
  while ((workersRunning > 0 || performance.now() - since < ms) && performance.now() - start < QUIET_CAP_MS) {
    await sleep(Math.min(10, ms));
    const now = activity();
    if (now !== last || workersRunning > 0) {
      last = now;
      since = performance.now();
    }
  }
}

async function drive(def: RouteDef, build: BenchRequestBuilder): Promise<RouteResult> {
  const first = build(stack, 0);
  const request = `${first.method ?? def.method} ${first.path ?? def.path}${first.token ? ` (${first.token})` : ''}`;
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
    const providersBefore = providerCounts();
    const t0 = performance.now();
    try {
      res = await fetch(`${stack.apiUrl}${path}`, {
        method: r.method ?? def.method,
        headers,
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
      });
      // The handler has returned once the answer's head is here: take the counts now, synchronously.
      tableAfter = tableLog.length;
      providersAfter = providerCounts();
    } finally {
      open();
    }
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== def.response.status) {
      return `answered ${res.status} (expected ${def.response.status}): ${text.slice(0, 200)}`;
    }

    await quiet(quietMs); // its workers are done
    return {
      table: tableLog.slice(tableBefore, tableAfter),
      providers: providersSince(providersBefore, providersAfter),
      workerTable: tableLog.slice(tableAfter),
      workerProviders: providersSince(providersAfter, providerCounts()),
      ms,
    };
  }

  await quiet(QUIET_MS);
  // The warm-up pays the handler's cold start (module load), as the first request on Lambda does.
  const warm = await once(0);
  if (typeof warm === 'string') return { request, samples: [], note: warm };
  const samples: Sample[] = [];
  for (let n = 1; n <= REQUESTS; n++) {
    const sample = await once(n);
    if (typeof sample === 'string') return { request, samples: [], note: sample };
    samples.push(sample);
  }
  return { request, samples };
}

console.log(`\nStarting a local stack to drive each route's happy path (${REQUESTS} warm requests each)...`);
const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, loadWorker, hotlineDemo: true });
const results = new Map<string, RouteResult>();
try {
  for (const [name, def] of Object.entries(routes as Record<string, RouteDef>)) {
    const build = (benchRequests as Record<string, BenchRequestBuilder | undefined>)[name];
    results.set(name, build ? await drive(def, build) : { samples: [], note: NO_REQUEST });
  }
} finally {
  await stack.stop();
  observeDynamoClients(undefined);
}

/** The median count of a figure over the samples, the sample that shows it, and the range. */
function figure(samples: Sample[], pick: (s: Sample) => string[]) {
  const counts = samples.map((x) => pick(x).length).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)]!;
  const typical = pick(samples.find((x) => pick(x).length === median)!);
  const min = counts[0]!;
  const max = counts.at(-1)!;
  const what = typical.length ? ` (${summarize(typical)})` : '';
  return { median, text: `${median}${what}${min === max ? '' : ` [${min}–${max}]`}` };
}

/** ["GetItem", "UpdateItem", "GetItem"] → "GetItem ×2, UpdateItem" (first-seen order). */
function summarize(items: string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const routeLines: string[][] = [];
for (const row of rows) {
  if (row.kind !== 'route') continue;
  const result = results.get(row.function)!;
  if (result.note) {
    Object.assign(row, { tableOps: null, providerCalls: null, warmP50Ms: null, warmP95Ms: null, workerTableOps: null, workerProviderCalls: null, note: result.note });
    routeLines.push([row.function, result.request ?? '', result.note]);
    continue;
  }
  const ms = result.samples.map((x) => x.ms);
  const table = figure(result.samples, (x) => x.table);
  const providers = figure(result.samples, (x) => x.providers);
  const workerTable = figure(result.samples, (x) => x.workerTable);
  const workerProviders = figure(result.samples, (x) => x.workerProviders);
  Object.assign(row, {
    tableOps: table.median,
    providerCalls: providers.median,
    warmP50Ms: round(pct(ms, 50)),
    warmP95Ms: round(pct(ms, 95)),
    workerTableOps: workerTable.median,
    workerProviderCalls: workerProviders.median,
  });
  const afterwards =
    workerTable.median === 0 && workerProviders.median === 0 && !workerTable.text.includes('[') && !workerProviders.text.includes('[')
      ? '-'
      : `table ${workerTable.text}; providers ${workerProviders.text}`;
  routeLines.push([row.function, result.request!, table.text, providers.text, pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), afterwards]);
}

console.log(`\nCost per request: each route's happy path through the local API, on a quiet stack; figures per request`);
console.log(`(median over ${REQUESTS}); latency over ${REQUESTS} sequential requests after one warm-up\n`);
const routeHeader = ['route', 'request', 'table ops', 'provider calls', 'p50 ms', 'p95 ms', 'then, by stream workers'];
printTable(routeHeader, routeLines, [0, 1, 2, 3, 6]);
console.log('\n"table ops" and "provider calls" are the route handler\'s own (target, not asserted: at most two table');
console.log('round trips for a portal request); what the stream workers it triggers do afterwards is listed apart.');
if ([...results.values()].some((r) => r.note === NO_REQUEST)) console.log(`"${NO_REQUEST}": add the route's happy path to lib/bench-requests.ts.`);

writeFileSync(join(ROOT, '.local', 'bench.json'), `${JSON.stringify(rows, null, 2)}\n`);
console.log('Wrote .local/bench.json');

// 3. The admin dashboard at 100 000 customers.
await (await import('./bench-admin')).runAdminBench();

/**
 * Prints an aligned table: the columns in `left` padded on the right, the others on the left. A line
 * shorter than the header (a note) has its last cell run on, unaligned.
 */
function printTable(header: string[], lines: string[][], left: number[]) {
  const aligned = lines.map((l) => (l.length < header.length ? l.slice(0, -1) : l));
  const widths = header.map((h, i) => Math.max(h.length, ...aligned.map((l) => l[i]?.length ?? 0)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) =>
        cells.length < header.length && i === cells.length - 1 ? c : left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

function round(n: number) {
  return Math.round(n * 100) / 100;
}
