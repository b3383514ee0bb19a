// The rebuild's bookkeeping (shared/domain/reindex.ts) over fake repositories: which rows it hands to
// the workers' writes, once each per run (a customer whose two rows a page boundary splits too), where
// each segment's checkpoint stands after a stop, a failure or the end, what a continued run reads, and
// the input it refuses. The writes themselves are the workers' (test/integration/reindex.test.ts).
import { describe, expect, it } from 'vitest';
import type { CustomerIndexRepository } from '../../shared/db/customers';
import type { DerivedSource, DerivedSourcesRepository } from '../../shared/db/derived-sources';
import type { StatsRepository } from '../../shared/db/stats';
import { ReindexInputError, rebuildDerivedData, type ReindexOptions } from '../../shared/domain/reindex';

const customer = (userId: string): DerivedSource => ({ kind: 'customer', userId });
const call = (id: string): DerivedSource => ({ kind: 'call', id: { userId: 'x', startedAt: '2026-01-01T00:00:00.000Z', callId: id } });

/** Fakes: `segments[s]` are segment s's pages; every customer is new to the index; `failOn` fails one row. */
function fakes(segments: DerivedSource[][][], opts: { failOn?: string; gone?: string[] } = {}) {
  const indexed: string[] = [];
  const counted: string[] = [];
  const reads: { segment: number; start?: unknown }[] = [];
  let dropped = 0;
  const sources = {
    async page({ segment, start }: { segment: number; start?: Record<string, unknown> }) {
      reads.push({ segment, start });
      const at = start ? Number(start.page) : 0;
      const pages = segments[segment]!;
      return { rows: pages[at] ?? [], scanned: (pages[at] ?? []).length, next: at + 1 < pages.length ? { page: at + 1 } : undefined };
    },
  } as unknown as DerivedSourcesRepository;
  const customers = {
    async readSources(userId: string) {
      return opts.gone?.includes(userId) ? {} : { settings: { createdAt: '2026-01-01T00:00:00.000Z', email: `${userId}@example.com` } };
    },
    async readIndex(userId: string) {
      // A customer gone from the table is still in the index: the listing says what they were counted as.
      return opts.gone?.includes(userId) ? { listing: { since: '2026-01-01T00:00:00.000Z', activePlan: null, version: 1 }, search: [] } : { search: [] };
    },
    async apply(userId: string) {
      if (userId === opts.failOn) throw new Error('the table refused');
      indexed.push(userId);
      return 'applied';
    },
  } as unknown as CustomerIndexRepository;
  const stats = {
    async countCall(id: { callId: string }) {
      counted.push(id.callId);
      return { outcome: 'counted', seconds: 30 };
    },
    async resetCallCounts() {
      return 7;
    },
    async dropSnapshot() {
      dropped++;
    },
  } as unknown as StatsRepository;
  return { deps: { sources, customers, stats }, indexed, counted, reads, dropped: () => dropped };
}

const run = (f: ReturnType<typeof fakes>, options: ReindexOptions) => rebuildDerivedData(f.deps, options);

describe('the rebuild', () => {
  it('hands each customer and call to the workers’ writes once, also a customer split by a page boundary', async () => {
    const f = fakes([[[customer('a'), call('1'), customer('b')], [customer('b'), customer('c')]], [[call('2'), customer('d'), customer('d')]]]);
    const report = await run(f, { segments: 2 });
    expect(f.indexed.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(f.counted).toHaveLength(2);
    expect(report).toMatchObject({
      complete: true,
      checkpoint: null,
      pages: 3,
      scanned: 8,
      customers: { indexed: 4, unchanged: 0, removed: 0 },
      calls: { counted: 2, alreadyCounted: 0, skipped: 0 },
      counters: { customers: 4, signups: 4, calls: 2, callSeconds: 60 },
      errors: [],
    });
    expect(f.dropped()).toBe(1);
  });

  it('removes an index entry whose customer has no row left, and leaves one whose customer has', async () => {
    const f = fakes([[[{ kind: 'indexEntry', userId: 'gone' }, { kind: 'indexEntry', userId: 'here' }]]], { gone: ['gone'] });
    const report = await run(f, { segments: 1 });
    expect(f.indexed).toEqual(['gone']);
    expect(report.customers).toEqual({ indexed: 0, unchanged: 0, removed: 1 });
    expect(report.counters).toEqual({ customers: -1, removals: 1 });
  });

  it('stops after maxPages with each segment’s next start, and a continued run reads only the rest', async () => {
    const pages = [[[customer('a')], [customer('b')], [customer('c')]], [[customer('d')]]];
    const f = fakes(pages);
    const first = await run(f, { segments: 2, maxPages: 2 });
    expect(first.complete).toBe(false);
    expect(first.checkpoint).toEqual({ totalSegments: 2, segments: [{ done: false, startKey: { page: 1 } }, { done: true }] });
    const rest = await run(f, { checkpoint: JSON.parse(JSON.stringify(first.checkpoint)) });
    expect(rest).toMatchObject({ complete: true, checkpoint: null, pages: 2 });
    expect(f.indexed.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(f.reads.slice(2)).toEqual([
      { segment: 0, start: { page: 1 } },
      { segment: 0, start: { page: 2 } },
    ]);
  });

  it('a failing row stops its segment at that page (checkpoint: its start); the other segments go on', async () => {
    const f = fakes([[[customer('a')], [customer('bad'), customer('b')], [customer('c')]], [[customer('d')], [customer('e')]]], { failOn: 'bad' });
    const report = await run(f, { segments: 2, concurrency: 1 });
    expect(report.complete).toBe(false);
    expect(report.errors).toEqual([{ segment: 0, message: 'the table refused' }]);
    expect(report.checkpoint!.segments).toEqual([{ done: false, startKey: { page: 1 } }, { done: true }]);
    expect(f.indexed.sort()).toEqual(['a', 'd', 'e']);
  });

  it('a run that changes nothing leaves the stats snapshot; recountCalls resets the call counts first', async () => {
    const idle = fakes([[[]]]);
    expect(await run(idle, { segments: 1 })).toMatchObject({ complete: true, callCountersReset: 0 });
    expect(idle.dropped()).toBe(0);
    const recount = fakes([[[call('1')]]]);
    expect(await run(recount, { segments: 1, recountCalls: true })).toMatchObject({ callCountersReset: 7, calls: { counted: 1 } });
    expect(recount.dropped()).toBe(1);
  });

  it.each<[string, ReindexOptions]>([
    ['no segments', { segments: 0 }],
    ['too many segments', { segments: 65 }],
    ['a page size of 0', { pageSize: 0 }],
    ['a checkpoint of another segment count', { segments: 3, checkpoint: { totalSegments: 2, segments: [{ done: false }, { done: false }] } }],
    ['a checkpoint with a segment missing', { checkpoint: { totalSegments: 2, segments: [{ done: false }] } }],
    ['recountCalls with a checkpoint', { recountCalls: true, checkpoint: { totalSegments: 1, segments: [{ done: false }] } }],
  ])('refuses %s before it reads or writes anything', async (_label, options) => {
    const f = fakes([[[customer('a')]]]);
    await expect(run(f, options)).rejects.toBeInstanceOf(ReindexInputError);
    expect(f.reads).toEqual([]);
    expect(f.indexed).toEqual([]);
  });
});
