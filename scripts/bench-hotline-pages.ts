// Offset pages of a long hotline history (`npm run bench -- --hotline-pages`; not in the full run):
// starts its own local stack with the hotline demo, loads BENCH_HOTLINE_CALLS (10 000) call logs and as
// many billing records into the demo hotline as the repository stores them (its item builders, 25 rows
// a BatchWrite, ids from the counters, positions 1..n), then, through the local API, BENCH_HOTLINE_RUNS
// (20) runs each, after one warm-up, of the page (limit 10) at offset 0, at the middle and at the end of
// the call logs and of the records. Per request: the route's table round trips, the items DynamoDB read
// (a Query's ScannedCount, one per GetItem that found its item) and the read capacity it reports
// (ReturnConsumedCapacity, added to every command while a request is measured), and p50/p95. Beside
// them, the old reading: one Query of the whole list, what every page cost before positions. It measures.
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dynamoClient } from '../lib/local/dynamo';
import { startStack } from '../lib/local/stack';
import { SUITE_LIMITS } from '../lib/local/limits';
import { putAll } from '../shared/db/batch';
import { observeDynamoClients, tableRef } from '../shared/db/client';
import { reserveIds } from '../shared/db/counters';
import { callLogItem, hotlineCounterItems, recordItem, type CallLogRow } from '../shared/db/hotlines';
import { pool } from './bench-customers';

const ROOT = new URL('..', import.meta.url).pathname;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

interface Read {
  command: string;
  items: number;
  units: number;
}

export async function runHotlinePagesBench(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const calls = Number(process.env.BENCH_HOTLINE_CALLS ?? 10_000);
  const runs = Number(process.env.BENCH_HOTLINE_RUNS ?? 20);

  // Every command of the handlers' table clients while a request is measured: what it read and what it cost.
  let reads: Read[] | undefined;
  const unobserve = observeDynamoClients((client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const seen = reads;
        if (!seen) return next(args);
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        const o = out.output as { Item?: unknown; ScannedCount?: number; ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        const units = [o.ConsumedCapacity ?? []].flat().reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
        seen.push({ command, items: command === 'GetItem' ? (o.Item ? 1 : 0) : (o.ScannedCount ?? 0), units });
        return out;
      },
      { step: 'initialize', name: 'benchHotlinePageReads' },
    ),
  );

  console.log(`\nHotline pages at ${calls} calls: starting a local stack and loading...`);
  const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, hotlineDemo: true, env: SUITE_LIMITS });
  try {
    const token = stack.tokens.customer;
    const get = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as Record<string, unknown>;
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      return { ms, body };
    };
    const org = ((await get('/v1/me')).body.hotlines as { organizations: { organizationID: number }[] }).organizations[0]!.organizationID;
    const hotline = ((await get(`/v1/hotlines?organization_id=${org}`)).body.hotlines as { id: number; number: string | null }[])[0]!;

    // The history, as the repository stores it: the newest call last, each billed.
    const t = tableRef({ tableName: stack.tableName, endpoint: stack.dynamoEndpoint });
    const lastLog = await reserveIds(t, 'callLog', calls);
    const lastRecord = await reserveIds(t, 'record', calls);
    const start = Date.now() - calls * 600_000;
    const CHUNK = 500;
    const loadSeconds = await pool(Math.ceil(calls / CHUNK), 4, async (c) => {
      const items: Record<string, unknown>[] = [];
      for (let p = c * CHUNK + 1; p <= Math.min(calls, (c + 1) * CHUNK); p++) {
        const at = (s: number) => new Date(start + p * 600_000 + s * 1000).toISOString();
        const seconds = 20 + (p % 300);
        const log: CallLogRow = {
          id: lastLog - calls + p,
          hotlineID: hotline.id,
          callSid: `bench-${hotline.id}-${p}`,
          from: `+4917${String(10_000_000 + p).padStart(8, '0')}`,
          startTime: at(0),
          entries: [
            { action: 'incoming', agentPhone: null, userID: null, startTime: at(0) },
            { action: 'dial', agentPhone: '+4924155660', userID: 1, startTime: at(0) },
            { action: 'ringing', agentPhone: '+4924155660', userID: 1, startTime: at(1) },
            { action: 'answered', agentPhone: '+4924155660', userID: 1, startTime: at(4) },
            { action: 'completed', agentPhone: null, userID: null, startTime: at(seconds) },
          ],
          recordId: lastRecord - calls + p,
        };
        items.push(
          callLogItem(log, p),
          recordItem({ id: log.recordId!, hotlineID: hotline.id, callLogID: log.id, destinationNumber: hotline.number ?? '', timeStart: at(0), timeEnd: at(seconds), price: Math.ceil(seconds / 60) * 0.05 }, p),
        );
      }
      await putAll(t, items);
    }, `call logs and records (chunks of ${CHUNK} calls)`);
    await putAll(t, hotlineCounterItems(hotline.id, { callLogs: calls, records: calls }));
    await stack.streams.idle();

    const measure = async (path: string) => {
      await get(path);
      const ms: number[] = [];
      let last: Read[] = [];
      for (let run = 0; run < runs; run++) {
        reads = [];
        ms.push((await get(path)).ms);
        last = reads;
        reads = undefined;
      }
      const tally = new Map<string, number>();
      for (const r of last) tally.set(r.command, (tally.get(r.command) ?? 0) + 1);
      return {
        path,
        tableOps: [...tally].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', '),
        itemsRead: last.reduce((s, r) => s + r.items, 0),
        pageItems: last.filter((r) => r.command === 'Query').reduce((s, r) => s + r.items, 0),
        readUnits: round(last.reduce((s, r) => s + r.units, 0)),
        p50Ms: round(pct(ms, 50)),
        p95Ms: round(pct(ms, 95)),
      };
    };
    const offsets = [0, Math.floor(calls / 2), calls - 10];
    const pages = [];
    for (const list of ['call-logs', 'records']) for (const offset of offsets) pages.push(await measure(`/v1/hotlines/${hotline.id}/${list}?limit=10&offset=${offset}`));

    // The old reading: every page read the whole list, on a client without the functions' 2 s bound.
    const reader = DynamoDBDocumentClient.from(dynamoClient(stack.dynamoEndpoint));
    const whole = async (prefix: string) => {
      const ms: number[] = [];
      let items = 0;
      let units = 0;
      for (let run = 0; run < Math.min(runs, 5); run++) {
        const t0 = performance.now();
        items = 0;
        units = 0;
        let cursor: Record<string, unknown> | undefined;
        do {
          const page = await reader.send(
            new QueryCommand({
              TableName: stack.tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
              ExpressionAttributeValues: { ':pk': `HOTLINE#${hotline.id}`, ':sk': prefix },
              ScanIndexForward: false,
              ExclusiveStartKey: cursor,
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          items += page.ScannedCount ?? 0;
          units += page.ConsumedCapacity?.CapacityUnits ?? 0;
          cursor = page.LastEvaluatedKey;
        } while (cursor);
        ms.push(performance.now() - t0);
      }
      return { itemsRead: items, readUnits: round(units), p50Ms: round(pct(ms, 50)) };
    };
    const before = { callLogs: await whole('CALL_LOG#'), records: await whole('RECORD#') };
    reader.destroy();

    console.log(`\n  loaded in ${loadSeconds.toFixed(0)} s: hotline ${hotline.id} has ${calls} call logs and ${calls} billing records`);
    console.log(`  ${'request'.padEnd(52)} ${'table ops'.padEnd(22)} ${'items read'.padStart(10)} ${'of them the page'.padStart(16)} ${'read units'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
    for (const p of pages) {
      console.log(`  ${`GET ${p.path}`.padEnd(52)} ${p.tableOps.padEnd(22)} ${String(p.itemsRead).padStart(10)} ${String(p.pageItems).padStart(16)} ${p.readUnits.toFixed(1).padStart(10)} ${p.p50Ms.toFixed(1).padStart(8)} ${p.p95Ms.toFixed(1).padStart(8)}`);
    }
    console.log(`  (${runs} runs each, after a warm-up; "items read" and "read units" of the last run, every command of the route)`);
    for (const [what, b] of [['call logs', before.callLogs], ['records', before.records]] as const) {
      console.log(`  the old reading of the ${what}, the whole list for any page: ${b.itemsRead} items read, ${b.readUnits.toFixed(1)} read units, ${b.p50Ms.toFixed(0)} ms (p50 of ${Math.min(runs, 5)}; a Query alone, without the route)`);
    }
    mkdirSync(join(ROOT, '.local'), { recursive: true });
    writeFileSync(join(ROOT, '.local', 'bench-hotline-pages.json'), `${JSON.stringify({ calls, runs, pages, before }, null, 2)}\n`);
    console.log('Wrote .local/bench-hotline-pages.json');
  } finally {
    unobserve();
    await stack.stop();
  }
}
