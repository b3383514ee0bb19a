// The admin dashboard at scale: `npm run bench:admin` (also `npm run bench -- --admin`), in a process
// of its own. `npm run bench` used to end with it, after its routes part, and failed or hung there:
// the handlers and stream workers that part had loaded (a module loads once per process, as once per
// sandbox on Lambda) keep the table client and the configuration they made at their cold start,
// pointing at the first stack's DynamoDB Local, stopped by then. On the second stack the workers the
// seeding triggers fail against it and retry, so `streams.idle()` waits on them, or a write times out
// (TableUnavailableError); both reproduce with 500 customers after one request on a first stack.
//
// Starts its own local stack, seeds BENCH_ADMIN_CUSTOMERS customers (100 000 by default: a third
// with settings only, a third with a subscription only, a third with both; scripts/bench-customers.ts)
// into DynamoDB Local as the repositories store them (their item builders, 25 rows a call), and
// indexes them with the indexCustomer worker's own entries and counters, loaded in bulk (loadCustomerIndex), the last
// BENCH_ADMIN_LIVE (1000) one by one through the worker's use case itself, as the stream would. The
// stream tailer's copy of that worker is left idle meanwhile, so nothing is indexed twice. Then, through the local API, 20 runs each (after one warm-up) of the first page of
// customers, page 40 by cursor, a search, and the stats read (the snapshot), beside one full Scan of
// the table. Prints p50/p95 and writes .local/bench-admin.json. It measures; it asserts nothing.
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dynamoClient } from '../lib/local/dynamo';
import { handlerLoader } from '../lib/local/lambda';
import { startStack, type StackOptions } from '../lib/local/stack';
import { SUITE_LIMITS } from '../lib/local/limits';
import { tableRef } from '../shared/db/client';
import { putAll } from '../shared/db/batch';
import { customerIndexRepository } from '../shared/db/customers';
import { indexCustomer, loadCustomerIndex } from '../shared/domain/customers';
import { benchCustomer, benchCustomerId, pool } from './bench-customers';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = 20;

const SEARCHES = ['müller', 'çelik', 'anna', 'mehmet yilmaz', 'gmbh', 'παπαδ', 'bau', 'schaefer', 'zoe', 'soren', 'praxis weber', 'kaya', 'malgorzata', 'immob', 'francois dubois', 'koch', 'elektro', 'björn', 'laura klein', 'fis'];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

export async function runAdminBench(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const customers = Number(process.env.BENCH_ADMIN_CUSTOMERS ?? 100_000);
  // The tailer's copies of the workers that react to customers stay idle: the seeding indexes directly.
  const load = handlerLoader<Awaited<ReturnType<NonNullable<StackOptions['loadWorker']>>>>(ROOT);
  const idle = Object.assign(async () => ({ batchItemFailures: [] }), { lastErrors: () => new Map<string, string>() });
  let seeding = true;
  const loadWorker: StackOptions['loadWorker'] = async (file) => {
    const real = await load(file);
    if (!file.endsWith('index-customer.ts')) return real;
    return Object.assign(async (...args: Parameters<typeof real>) => (seeding ? idle() : real(...args)), { lastErrors: real.lastErrors });
  };
  console.log(`\nAdmin dashboard at ${customers} customers: starting a local stack and seeding...`);
  const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, loadWorker, env: SUITE_LIMITS });
  try {
    const t = tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint });
    const index = { customers: customerIndexRepository(t) };
    const start = Date.now() - 365 * 86_400_000;
    const idOf = benchCustomerId;
    const sourcesOf = (i: number) => benchCustomer(i, customers, start);
    const CHUNK = 500;
    const live = Math.min(customers, Number(process.env.BENCH_ADMIN_LIVE ?? 1000));
    const bulk = customers - live;
    const seedSeconds = await pool(Math.ceil(customers / CHUNK), 4, async (c) => {
      const rows = Array.from({ length: Math.min(CHUNK, customers - c * CHUNK) }, (_, k) => sourcesOf(c * CHUNK + k));
      await putAll(t, rows.flatMap((r) => [r.settings, r.subscription].filter((x) => x !== undefined)));
    }, `source rows (chunks of ${CHUNK} customers)`);
    const indexSeconds = await pool(Math.ceil(bulk / CHUNK), 4, async (c) => {
      const ids = Array.from({ length: Math.min(CHUNK, bulk - c * CHUNK) }, (_, k) => c * CHUNK + k);
      await loadCustomerIndex(index, ids.map((i) => ({ userId: idOf(i), sources: sourcesOf(i) })));
    }, `index, in bulk (chunks of ${CHUNK})`);
    const liveSeconds = await pool(live, 8, async (k) => void (await indexCustomer(index, idOf(bulk + k))), 'index, one by one by the worker');
    await stack.streams.idle();
    seeding = false;

    const token = stack.tokens.admin;
    const get = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { nextCursor?: string | null; items?: unknown[] };
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      return { ms, body };
    };
    // Right after half a million writes DynamoDB Local may stall for seconds (its JVM collecting): the
    // warm-up waits until the table answers again (503 table-unavailable), then the runs are timed.
    const warmUp = async (path: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await get(path);
        } catch (err) {
          if (attempt >= 10 || !String(err).includes(' answered 503')) throw err;
          await new Promise((r) => setTimeout(r, 3000));
        }
      }
    };
    const measure = async (path: (run: number) => string) => {
      await warmUp(path(0));
      const ms: number[] = [];
      for (let run = 0; run < RUNS; run++) ms.push((await get(path(run))).ms);
      return { p50Ms: round(pct(ms, 50)), p95Ms: round(pct(ms, 95)) };
    };

    const firstPage = await measure(() => '/v1/admin/customers?limit=25');
    let cursor: string | null | undefined = null;
    for (let page = 1; page < 40; page++) cursor = (await get(`/v1/admin/customers?limit=25${cursor ? `&cursor=${cursor}` : ''}`)).body.nextCursor;
    const page40 = await measure(() => `/v1/admin/customers?limit=25&cursor=${cursor}`);
    const search = await measure((run) => `/v1/admin/customers?limit=25&q=${encodeURIComponent(SEARCHES[run % SEARCHES.length]!)}`);
    const rebuildMs = (await get('/v1/admin/stats?refresh=1')).ms;
    const stats = await measure(() => '/v1/admin/stats');

    // The Scan on a client without the functions' 2 s bound: a 1 MB page of DynamoDB Local can take longer.
    const scanner = DynamoDBDocumentClient.from(dynamoClient(stack.dynamoEndpoint));
    const t0 = performance.now();
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await scanner.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: startKey }));
      items += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const scanMs = round(performance.now() - t0);
    scanner.destroy();

    const result = { customers, firstPage, page40, search, stats, scanMs };
    console.log(`\n  seeded in ${seedSeconds.toFixed(0)} s, indexed in ${indexSeconds.toFixed(0)} s (bulk) and ${liveSeconds.toFixed(0)} s (${live} by the worker); the table holds ${items} items`);
    console.log(`  ${'request'.padEnd(44)}   p50 ms   p95 ms   (${RUNS} runs each, after a warm-up)`);
    const line = (what: string, f: { p50Ms: number; p95Ms: number }) => console.log(`  ${what.padEnd(44)} ${f.p50Ms.toFixed(1).padStart(8)} ${f.p95Ms.toFixed(1).padStart(8)}`);
    line('GET /v1/admin/customers (first page)', firstPage);
    line('GET /v1/admin/customers (page 40, by cursor)', page40);
    line(`GET /v1/admin/customers?q=… (${SEARCHES.length} searches)`, search);
    line('GET /v1/admin/stats (the snapshot)', stats);
    console.log(`  GET /v1/admin/stats?refresh=1 (a rebuild from the counters): ${rebuildMs.toFixed(1)} ms, once`);
    console.log(`  a full Scan of the table (what the index avoids): ${scanMs.toFixed(0)} ms`);
    mkdirSync(join(ROOT, '.local'), { recursive: true });
    writeFileSync(join(ROOT, '.local', 'bench-admin.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('Wrote .local/bench-admin.json');
  } finally {
    await stack.stop();
  }
}

// `npm run bench:admin` runs this file.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAdminBench();
  process.exit(0);
}
