// The rebuild of derived data at scale (`npm run bench -- --reindex`): a DynamoDB Local of its own
// with only the table (no API, no workers: nothing else writes), BENCH_REINDEX_CUSTOMERS customers
// (100 000 by default; scripts/bench-customers.ts) and a call for every BENCH_REINDEX_CALL_EVERY-th of
// them (4), loaded as the repositories store them, with no customer index and no counters: a stage
// deployed over a table that already holds users. Then the rebuild (shared/domain/reindex.ts) as
// `npm run reindex` runs it, BENCH_REINDEX_SEGMENTS segments (4), BENCH_REINDEX_CONCURRENCY rows at
// once per segment (4), BENCH_REINDEX_PAGE_SIZE (500): once from nothing, its counters checked against
// what was loaded, and once again, which finds everything in place. Prints both runs and writes
// .local/bench-reindex.json. It measures.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dynamoClient, ensureTable, startDynamoLocal } from '../lib/local/dynamo';
import { putAll } from '../shared/db/batch';
import { callItem } from '../shared/db/calls';
import { bareCall } from '../test/support/rows';
import type { TableRef } from '../shared/db/client';
import { customerIndexRepository } from '../shared/db/customers';
import { derivedSourcesRepository } from '../shared/db/derived-sources';
import { statsRepository } from '../shared/db/stats';
import { rebuildDerivedData, type ReindexReport } from '../shared/domain/reindex';
import { benchCustomer, benchCustomerId, pool } from './bench-customers';

const ROOT = new URL('..', import.meta.url).pathname;
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export async function runReindexBench(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const customers = num('BENCH_REINDEX_CUSTOMERS', 100_000);
  const callEvery = num('BENCH_REINDEX_CALL_EVERY', 4);
  const options = { segments: num('BENCH_REINDEX_SEGMENTS', 4), concurrency: num('BENCH_REINDEX_CONCURRENCY', 4), pageSize: num('BENCH_REINDEX_PAGE_SIZE', 500) };
  console.log(`\nThe rebuild at ${customers} customers: starting DynamoDB Local and loading...`);
  const dynamo = await startDynamoLocal();
  try {
    const tableName = 'bench-reindex';
    await ensureTable(dynamo.endpoint, tableName);
    // Without the functions' 2 s bound per call, as `npm run reindex` runs.
    const client = dynamoClient(dynamo.endpoint);
    const t: TableRef = { client, tableName, doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };

    const start = Date.now() - 365 * 86_400_000;
    const CHUNK = 500;
    let calls = 0;
    let callSeconds = 0;
    const loadSeconds = await pool(
      Math.ceil(customers / CHUNK),
      4,
      async (c) => {
        const items: Record<string, unknown>[] = [];
        for (let i = c * CHUNK; i < Math.min(customers, (c + 1) * CHUNK); i++) {
          const rows = benchCustomer(i, customers, start);
          items.push(...[rows.settings, rows.subscription].filter((x) => x !== undefined));
          if (i % callEvery === 0) {
            const startedAt = (rows.settingsRow ?? rows.subscriptionRow)!.createdAt;
            const durationSeconds = 20 + (i % 300);
            items.push(
              callItem(benchCustomerId(i), bareCall(startedAt, durationSeconds, 'asst-bench')),
            );
            calls++;
            callSeconds += durationSeconds;
          }
        }
        await putAll(t, items);
      },
      `customers and calls (chunks of ${CHUNK} customers)`,
    );

    const deps = { sources: derivedSourcesRepository(t), customers: customerIndexRepository(t), stats: statsRepository(t) };
    const run = async (label: string): Promise<ReindexReport> => {
      let last = 0;
      const report = await rebuildDerivedData(deps, {
        ...options,
        onProgress: (p) => {
          if (performance.now() - last < 2000) return;
          last = performance.now();
          process.stdout.write(`\r  ${label}: ${p.scanned} items scanned, ${p.customers.indexed + p.customers.unchanged} customers, ${p.calls.counted + p.calls.alreadyCounted} calls, segments ${p.segmentsDone}/${p.totalSegments}`);
        },
      });
      process.stdout.write(
        `\r  ${label}: ${(report.ms / 1000).toFixed(1)} s, ${report.scanned} items scanned in ${report.pages} pages; customers ${report.customers.indexed} written, ${report.customers.unchanged} unchanged; calls ${report.calls.counted} counted, ${report.calls.alreadyCounted} already${report.complete ? '' : ' (INCOMPLETE)'}\x1b[K\n`,
      );
      for (const e of report.errors) console.log(`    segment ${e.segment} failed: ${e.message}`);
      return report;
    };
    const first = await run('rebuild from nothing');
    // What the counters say now, against what was loaded.
    const items = await deps.stats.readCounters('1970-01');
    const sum = (name: string) => items.reduce((s, i) => s + (i.counters[name] ?? 0), 0);
    const check = { customers: sum('customers'), signups: sum('signups'), calls: sum('calls'), callSeconds: sum('callSeconds') };
    const expected = { customers, signups: customers, calls, callSeconds };
    console.log(`  counters after it: ${JSON.stringify(check)}${JSON.stringify(check) === JSON.stringify(expected) ? ' (as loaded)' : ` (loaded: ${JSON.stringify(expected)})`}`);
    const again = await run('run again');
    client.destroy();

    const result = {
      customers,
      calls,
      ...options,
      loadSeconds: Math.round(loadSeconds),
      rebuild: { ms: first.ms, scanned: first.scanned, pages: first.pages, customers: first.customers, calls: first.calls, complete: first.complete },
      again: { ms: again.ms, scanned: again.scanned, customers: again.customers, calls: again.calls, complete: again.complete },
      counters: check,
    };
    mkdirSync(join(ROOT, '.local'), { recursive: true });
    writeFileSync(join(ROOT, '.local', 'bench-reindex.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('Wrote .local/bench-reindex.json');
  } finally {
    await dynamo.stop();
  }
}
