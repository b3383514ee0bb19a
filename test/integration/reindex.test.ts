// The rebuild of derived data (shared/domain/reindex.ts) on the local stack, its stream workers
// running: customers (settings, subscriptions of each kind, some months old) and calls are made, the
// admin answers recorded (every page of GET /v1/admin/customers, a search, GET /v1/admin/stats with
// refresh=1), then every CUSTOMER# item and every STATS# counter item deleted: the answers differ;
// the rebuild brings them back as they were. A second run (`npm run reindex`) changes nothing; a run
// stopped after its first page (the `reindex` function) goes on from its checkpoint; a function out of
// time reads nothing and answers where to start; customers and calls written while a rebuild runs are
// counted once, as a rebuild from scratch counts them. It deletes what every customer of the table
// shares, so it has a stack of its own (test/projects.ts).
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { callsRepository } from '../../shared/db/calls';
import { bareCall } from '../support/rows';
import { customerIndexRepository } from '../../shared/db/customers';
import { derivedSourcesRepository } from '../../shared/db/derived-sources';
import { statsRepository } from '../../shared/db/stats';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { rebuildDerivedData, type ReindexOptions, type ReindexReport } from '../../shared/domain/reindex';
import { lastMonths } from '../../shared/domain/stats';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const root = new URL('../../', import.meta.url).pathname;

let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await workerStack();
  dir = mkdtempSync(join(tmpdir(), 'fonella-reindex-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLANS = ['starter', 'business', 'premium'] as const;
const STATUSES = ['active', 'trialing', 'past_due', 'canceled', 'incomplete'];
/** Customers made here (the stack's three demo users come on top), and calls. */
const CUSTOMERS = 40;
let calls = 0;

async function customer(i: number, months: string[]): Promise<string> {
  const userId = `auth0|reindex-${i}-${randomUUID().slice(0, 8)}`;
  const at = `${months[i % months.length]}-${String(1 + (i % 27)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00.000Z`;
  const kind = i % 3; // 0 settings only, 1 subscription only, 2 both
  if (kind !== 1) {
    await usersRepository(stack.table).createSettingsIfMissing({
      userId,
      email: `kunde${i}@beispiel.de`,
      name: `${['Jürgen', 'Ayşe', 'Ελένη', 'Max'][i % 4]} Reindex${i}`,
      ...(i % 2 ? { company: `Müller Bau ${i} GmbH` } : {}),
      timezone: 'Europe/Berlin',
      locale: 'de',
      role: 'owner',
      createdAt: at,
      updatedAt: at,
    });
  }
  if (kind !== 0) await subscriptionsRepository(stack.table).put(userId, { planId: PLANS[i % 3]!, status: STATUSES[i % STATUSES.length]!, createdAt: at, updatedAt: at });
  return userId;
}

async function addCall(userId: string, startedAt: string, durationSeconds: number): Promise<void> {
  const call = bareCall(startedAt, durationSeconds, 'asst-reindex');
  expect(await callsRepository(stack.table).create(userId, call)).toBe(true);
  calls++;
}

const admin = (path: string) => stack.call('GET', path, { token: stack.tokens.admin });

/** What the admin dashboard answers: every page of the customers, a search, and freshly computed figures. */
async function answers() {
  await settle(stack);
  const customers: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await admin(`/v1/admin/customers?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    customers.push(...res.body.items);
    cursor = res.body.nextCursor;
    expect(++pages).toBeLessThan(20);
  } while (cursor);
  const search = await admin('/v1/admin/customers?limit=100&q=muller');
  expect(search.status).toBe(200);
  // A snapshot stored in the last seconds would be shared by the refresh: start from none.
  await statsRepository(stack.table).dropSnapshot();
  const stats = await admin('/v1/admin/stats?refresh=1');
  expect(stats.status, JSON.stringify(stats.body)).toBe(200);
  const { computedAt: _at, ...figures } = stats.body;
  return { customers, pages, search: search.body.items as unknown[], stats: figures };
}

/** Deletes the derived data: every item of the customer index and every stats counter item. */
async function deleteDerived(): Promise<number> {
  const rows = (await stack.scan()).filter((r) => String(r.pk).startsWith('CUSTOMER#') || String(r.pk).startsWith('STATS#'));
  for (const r of rows) await stack.table.doc.send(new DeleteCommand({ TableName: stack.tableName, Key: { pk: r.pk, sk: r.sk } }));
  return rows.length;
}

const rebuild = (options: ReindexOptions) =>
  rebuildDerivedData({ sources: derivedSourcesRepository(stack.table), customers: customerIndexRepository(stack.table), stats: statsRepository(stack.table) }, options);

type Answers = Awaited<ReturnType<typeof answers>>;
let before: Answers;

describe('the rebuild of the customer index and the stats counters', () => {
  beforeAll(async () => {
    const months = lastMonths(new Date()).slice(-4);
    const ids: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) ids.push(await customer(i, months));
    for (let i = 0; i < 12; i++) await addCall(ids[i % 5]!, `${months[i % months.length]}-0${1 + (i % 9)}T09:00:00.000Z`, 30 + 17 * i);
    before = await answers();
    expect(before.customers).toHaveLength(CUSTOMERS + 3);
    expect(before.pages).toBeGreaterThan(1);
    expect(before.search.length).toBeGreaterThan(0);
    expect(before.stats.kpis.customers).toBe(CUSTOMERS + 3);
    expect(before.stats.series.reduce((sum: number, m: { calls: number }) => sum + m.calls, 0)).toBe(calls);
  }, 120_000);

  it('brings back what deleting every CUSTOMER# and STATS# counter item took, as it was', async () => {
    expect(await deleteDerived()).toBeGreaterThan(CUSTOMERS);
    const broken = await answers();
    expect(broken).not.toEqual(before);
    expect(broken.customers).toEqual([]);
    expect(broken.search).toEqual([]);
    expect(broken.stats.kpis.customers).toBe(0);
    expect(broken.stats.series.every((m: { calls: number }) => m.calls === 0)).toBe(true);

    const progress: number[] = [];
    const report = await rebuild({ segments: 3, pageSize: 25, onProgress: (p) => progress.push(p.pages) });
    expect(report).toMatchObject({ complete: true, checkpoint: null, totalSegments: 3, errors: [] });
    expect(report.customers).toEqual({ indexed: CUSTOMERS + 3, unchanged: 0, removed: 0 });
    expect(report.calls).toEqual({ counted: calls, alreadyCounted: 0, skipped: 0 });
    expect(report.counters).toMatchObject({ customers: CUSTOMERS + 3, signups: CUSTOMERS + 3, calls });
    expect(progress.length).toBe(report.pages);
    expect(progress.at(-1)).toBe(report.pages);

    expect(await answers()).toEqual(before);
  });

  it('run again (npm run reindex), changes nothing', async () => {
    const state = await settle(stack);
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ dynamoEndpoint: stack.dynamoEndpoint, tableName: stack.tableName }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/reindex.ts', '--segments', '2', '--json', '--checkpoint', join(dir, 'cp.json')], {
      cwd: root,
      env: { ...process.env, STACK_FILE: join(dir, 'stack.json') },
    });
    const report = JSON.parse(stdout) as ReindexReport;
    expect(report).toMatchObject({ complete: true, checkpoint: null, errors: [], callCountersReset: 0, counters: {} });
    expect(report.customers).toEqual({ indexed: 0, unchanged: CUSTOMERS + 3, removed: 0 });
    expect(report.calls).toEqual({ counted: 0, alreadyCounted: calls, skipped: 0 });
    await expectUnchanged(stack, state, 'a second rebuild');
    expect(await answers()).toEqual(before);
  });

  it('stopped after its first page (the reindex function), goes on from its checkpoint', async () => {
    await deleteDerived();
    const { handler } = (await import('../../functions/ops/reindex')) as { handler: (event: unknown, context: unknown) => Promise<ReindexReport> };
    const run = async (payload: unknown) => {
      const context = lambdaContext('reindex', 900_000);
      // What `aws lambda invoke` hands over and gets back: JSON.
      return JSON.parse(JSON.stringify(await invoke(context, () => handler(JSON.parse(JSON.stringify(payload)), context)))) as ReindexReport;
    };
    const first = await run({ segments: 2, pageSize: 40, maxPages: 1 });
    expect(first).toMatchObject({ complete: false, pages: 1, totalSegments: 2, errors: [] });
    expect(first.checkpoint!.segments.filter((s) => s.startKey || s.done)).toHaveLength(1);
    const firstWork = first.customers.indexed + first.calls.counted;
    expect(firstWork).toBeGreaterThan(0);
    expect(firstWork).toBeLessThan(CUSTOMERS + 3 + calls);

    const rest = await run({ checkpoint: first.checkpoint, pageSize: 40 });
    expect(rest).toMatchObject({ complete: true, checkpoint: null, errors: [] });
    // Nothing done twice, nothing missed: a customer whose rows the page boundary split is only seen again unchanged.
    expect(first.customers.indexed + rest.customers.indexed).toBe(CUSTOMERS + 3);
    expect(first.calls.counted + rest.calls.counted).toBe(calls);
    expect(rest.calls.alreadyCounted).toBe(0);
    expect(await answers()).toEqual(before);

    // A payload it cannot take: an answer naming what is wrong, and nothing run.
    const state = await settle(stack);
    const bad = await run({ segments: 0, surprise: true });
    expect(bad).toMatchObject({ error: expect.stringContaining('payload') });
    expect(await run({ segments: 3, checkpoint: first.checkpoint })).toMatchObject({ error: expect.stringContaining('2 segments') });
    await expectUnchanged(stack, state, 'a refused payload');
  });

  it('a function out of time reads nothing and answers where to start', async () => {
    const { handler } = (await import('../../functions/ops/reindex')) as { handler: (event: unknown, context: unknown) => Promise<ReindexReport> };
    const context = lambdaContext('reindex', 50_000);
    const report = await invoke(context, () => handler({ segments: 2 }, context));
    expect(report).toMatchObject({ complete: false, pages: 0, checkpoint: { totalSegments: 2, segments: [{ done: false }, { done: false }] } });
  });

  it('customers and calls written while it runs are counted once, as a rebuild from scratch counts them', async () => {
    await deleteDerived();
    const months = lastMonths(new Date()).slice(-2);
    const running = rebuild({ segments: 4, pageSize: 5, concurrency: 3 });
    // Meanwhile the workers index and count these, and the rebuild may meet them too.
    const ids: string[] = [];
    for (let i = CUSTOMERS; i < CUSTOMERS + 10; i++) ids.push(await customer(i, months));
    for (let i = 0; i < 6; i++) await addCall(ids[i]!, `${months[1]}-02T08:0${i}:00.000Z`, 60);
    const report = await running;
    expect(report).toMatchObject({ complete: true, errors: [] });
    const live = await answers();
    expect(live.customers).toHaveLength(CUSTOMERS + 13);
    expect(live.stats.kpis.customers).toBe(CUSTOMERS + 13);
    expect(live.stats.series.reduce((sum: number, m: { calls: number }) => sum + m.calls, 0)).toBe(calls);

    // The same derived data from scratch, with nothing else running.
    await deleteDerived();
    expect(await rebuild({ segments: 1 })).toMatchObject({ complete: true, errors: [] });
    expect(await answers()).toEqual(live);
    // Two rebuilds and the workers' work between them: more than the default 20 s on a loaded 2-core machine.
  }, 60_000);

  it('recountCalls: every call counted again from its row, once', async () => {
    const expected = await answers();
    const report = await rebuild({ segments: 2, recountCalls: true });
    expect(report.callCountersReset).toBeGreaterThan(0);
    expect(report.calls).toEqual({ counted: calls, alreadyCounted: 0, skipped: 0 });
    expect(report.customers.indexed).toBe(0);
    expect(await answers()).toEqual(expected);
    await expect(rebuild({ recountCalls: true, checkpoint: { totalSegments: 1, segments: [{ done: false }] } })).rejects.toThrow(/new run/);
  });
});
