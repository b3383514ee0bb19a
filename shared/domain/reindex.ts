// rebuildDerivedData — the rebuild of what the stream workers derive from the table: the admin
// customer index (CUSTOMER#<sub> listing and search items) and the stats counters (STATS#COUNTERS).
// Run by `npm run reindex` (scripts/reindex.ts) against the local stack and by the `reindex` function
// on AWS (functions/ops/reindex.ts). When: a stage deployed over a table that already holds users,
// a worker's failure queue drained by hand, an index bug fixed.
//   input: the segment count (or a checkpoint to continue from), the page size, how many rows of a
//   page run side by side, whether to recount calls, when to stop; output: a report of what it read
//   and changed, with the checkpoint to continue from when it stopped before the end.
//   1. with `recountCalls` (a new run only): every monthly counter item's call counts start again from
//      zero under a new epoch (StatsRepository.resetCallCounts), so every call is counted again below;
//   2. a parallel Scan, `segments` segments side by side, one page at a time each (keys only, filtered
//      to the rows below: shared/db/derived-sources.ts); for each row of a page (`concurrency` at once):
//      - a customer's SETTINGS or SUBSCRIPTION row: the indexCustomer worker's own use case
//        (shared/domain/customers.ts), which reads both rows and the index again and writes the
//        difference with the counters it moves in one transaction conditional on what it read;
//      - an index entry (CUSTOMER#<sub> / LISTING) whose customer has neither row: the same use case,
//        which removes it and takes the customer off the counters (a removal the worker missed);
//      - a call row: the countCall worker's own repository method, which counts it unless its row's
//        mark is the counter item's epoch, and marks it in the same transaction;
//   3. a segment's checkpoint moves past a page once every row of the page is done: a run stopped (the
//      deadline, `maxPages`, a failure) is continued by passing its checkpoint; a row of the page it
//      stopped in may be seen twice, which changes nothing;
//   4. when it changed anything, the stats snapshot is dropped, so the next read computes the figures.
//
// Why it cannot count twice, also while the workers run and when run again: it writes nothing of its
// own. Every write is the worker's conditional transaction, decided by the rows as they are when it is
// made, never by what the Scan saw.
//   - Customers: the listing row records what the customer is counted as (customer, sign-up month,
//     plan in force). A write moves the counters by the difference between that record and the rows
//     now, conditional on the listing's version and both source rows being as read. A customer the
//     worker indexed is `unchanged` here; one indexed here is `unchanged` for the worker. The listing
//     and the counters go together: delete both (CUSTOMER# items and STATS#COUNTERS items) to recount
//     customers from scratch; deleting one alone leaves them apart (listings without counters stay
//     uncounted; counters without listings are counted again).
//   - Calls: before, a call's count was marked by an item of its own that expired after a week, so a
//     rebuild could not tell an old counted call from one never counted. Now the mark is on the call
//     row (`statsCountedIn`) and names the epoch of the counter item it was counted in; the count and
//     the mark are one transaction conditional on the epoch read and the mark not being it. A counter
//     item deleted or reset has a new epoch, which no mark names: each call is counted into it again,
//     once, by whoever comes first, the worker or the rebuild. A rebuild over intact counters counts
//     only calls never counted (a failed worker record).
// What it cannot rebuild: history no source row holds. A deleted account's rows are gone, so its
// sign-up and calls are not counted again once the counters are deleted or reset (its removal is not
// either); a plan change is counted in the month the index sees it (the rebuild's month, for a customer
// the index did not hold). After deploying the call marks over counters of the old week-long markers,
// run it once with `recountCalls`: those counters' calls carry no mark and are counted from the rows.
import type { CustomerIndexRepository } from '../db/customers';
import type { DerivedSourcesRepository, ScanPosition } from '../db/derived-sources';
import { addTo, type CounterChanges, type StatsRepository } from '../db/stats';
import { indexCustomer } from './customers';

export interface ReindexDeps {
  sources: DerivedSourcesRepository;
  customers: CustomerIndexRepository;
  stats: StatsRepository;
  now?: () => Date;
}

/** Where each segment of a run's parallel Scan goes on: its next page's start, or done. */
export interface ReindexCheckpoint {
  totalSegments: number;
  segments: { done: boolean; startKey?: ScanPosition }[];
}

export interface ReindexOptions {
  /** Segments of the parallel Scan, read side by side (default 4); a checkpoint brings its own. */
  segments?: number;
  /** Continue a run that stopped: its report's `checkpoint`. */
  checkpoint?: ReindexCheckpoint;
  /** Items a Scan page reads at most (before its filter); the checkpoint moves page by page. Default 500. */
  pageSize?: number;
  /** Rows of one page worked on at once, per segment. Default 4. */
  concurrency?: number;
  /** Reset every monthly counter item's call counts first, and count every call row again (a new run only). */
  recountCalls?: boolean;
  /** Pages to read in all in this run, then stop with a checkpoint. */
  maxPages?: number;
  /** Asked before each page: true stops the run there with a checkpoint (a function's deadline). */
  shouldStop?: () => boolean;
  /** After each page, with the totals so far. */
  onProgress?: (progress: ReindexProgress) => void;
}

export interface ReindexTotals {
  pages: number;
  /** Items the Scan read. */
  scanned: number;
  /** Customers whose index entry was written, unchanged, or removed (their rows are gone). */
  customers: { indexed: number; unchanged: number; removed: number };
  /** Call rows counted now, found counted already, or skipped (gone meanwhile, or without id or start). */
  calls: { counted: number; alreadyCounted: number; skipped: number };
  /** Monthly counter items whose call counts were reset (`recountCalls`). */
  callCountersReset: number;
  /** What the writes added to the counters, by name over all shards and months (customers, signups, active_<plan>, calls, callSeconds...). */
  counters: CounterChanges;
}

export interface ReindexProgress extends ReindexTotals {
  segment: number;
  segmentsDone: number;
  totalSegments: number;
}

export interface ReindexReport extends ReindexTotals {
  /** Every segment read to its end without a failure. */
  complete: boolean;
  /** Pass it back (`checkpoint`) to continue; null when complete. */
  checkpoint: ReindexCheckpoint | null;
  totalSegments: number;
  errors: { segment: number; message: string }[];
  ms: number;
}

export const REINDEX_DEFAULTS = { segments: 4, pageSize: 500, concurrency: 4 } as const;
/** DynamoDB takes up to 1 000 000 segments; more than this many side by side only queue up in one process. */
export const MAX_SEGMENTS = 64;

export class ReindexInputError extends Error {}

function startingPoint(options: ReindexOptions): ReindexCheckpoint {
  const cp = options.checkpoint;
  if (!cp) {
    const n = options.segments ?? REINDEX_DEFAULTS.segments;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SEGMENTS) throw new ReindexInputError(`segments must be a whole number from 1 to ${MAX_SEGMENTS}`);
    return { totalSegments: n, segments: Array.from({ length: n }, () => ({ done: false })) };
  }
  if (!Number.isInteger(cp.totalSegments) || cp.totalSegments < 1 || cp.totalSegments > MAX_SEGMENTS || !Array.isArray(cp.segments) || cp.segments.length !== cp.totalSegments) {
    throw new ReindexInputError('the checkpoint is not one a run reported: totalSegments and one entry per segment');
  }
  if (options.segments !== undefined && options.segments !== cp.totalSegments) {
    throw new ReindexInputError(`the checkpoint is of a run with ${cp.totalSegments} segments: a Scan continues only with the segments it started with`);
  }
  if (options.recountCalls) throw new ReindexInputError('recountCalls starts a new run: continue a checkpoint without it');
  return { totalSegments: cp.totalSegments, segments: cp.segments.map((s) => ({ done: s.done === true, ...(s.startKey ? { startKey: s.startKey } : {}) })) };
}

/** Runs `fn` over `items`, `width` at a time; the first failure stops what has not started, and is thrown once the started ones end. */
async function eachAtOnce<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (!failure && next < items.length) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (err) {
          failure ??= { err };
        }
      }
    }),
  );
  if (failure) throw failure.err;
}

export async function rebuildDerivedData(deps: ReindexDeps, options: ReindexOptions = {}): Promise<ReindexReport> {
  const started = Date.now();
  const position = startingPoint(options);
  const pageSize = options.pageSize ?? REINDEX_DEFAULTS.pageSize;
  const width = options.concurrency ?? REINDEX_DEFAULTS.concurrency;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) throw new ReindexInputError('pageSize must be a whole number from 1 to 10000');
  if (!Number.isInteger(width) || width < 1 || width > 100) throw new ReindexInputError('concurrency must be a whole number from 1 to 100');

  const totals: ReindexTotals = {
    pages: 0,
    scanned: 0,
    customers: { indexed: 0, unchanged: 0, removed: 0 },
    calls: { counted: 0, alreadyCounted: 0, skipped: 0 },
    callCountersReset: 0,
    counters: {},
  };
  const counted = new Map<string, CounterChanges>();
  const addCounters = (changes: CounterChanges) => {
    addTo(counted, '', changes);
    totals.counters = Object.fromEntries(Object.entries(counted.get('') ?? {}).filter(([, n]) => n !== 0));
  };
  const errors: ReindexReport['errors'] = [];
  let pagesStarted = 0;
  const mayRead = () => (options.maxPages === undefined || pagesStarted < options.maxPages) && !options.shouldStop?.();

  if (options.recountCalls) totals.callCountersReset = await deps.stats.resetCallCounts();

  const index = async (userId: string) => {
    const result = await indexCustomer(deps, userId);
    if (result.outcome === 'unchanged') totals.customers.unchanged++;
    else if (result.removed) totals.customers.removed++;
    else totals.customers.indexed++;
    addCounters(result.counters);
  };

  const runSegment = async (segment: number) => {
    const state = position.segments[segment]!;
    // A customer's two rows are neighbours in their partition: a page boundary between them is met here.
    let carried: string | undefined;
    while (!state.done && mayRead()) {
      pagesStarted++;
      const page = await deps.sources.page({ segment, totalSegments: position.totalSegments, start: state.startKey, limit: pageSize });
      const seen = new Set<string>(carried ? [carried] : []);
      const work = page.rows.filter((row) => {
        if (row.kind === 'call') return true;
        const key = `${row.kind}:${row.userId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      await eachAtOnce(work, width, async (row) => {
        if (row.kind === 'customer') return index(row.userId);
        if (row.kind === 'indexEntry') {
          // A customer with a row is indexed from that row (in whichever segment holds it).
          const sources = await deps.customers.readSources(row.userId);
          if (sources.settings || sources.subscription) return;
          return index(row.userId);
        }
        const { outcome, seconds } = await deps.stats.countCall(row.id);
        if (outcome === 'counted') {
          totals.calls.counted++;
          addCounters({ calls: 1, callSeconds: seconds });
        } else if (outcome === 'already-counted') totals.calls.alreadyCounted++;
        else totals.calls.skipped++;
      });
      const last = page.rows.findLast((r) => r.kind === 'customer');
      carried = last?.kind === 'customer' ? `customer:${last.userId}` : undefined;
      totals.pages++;
      totals.scanned += page.scanned;
      if (page.next) state.startKey = page.next;
      else {
        state.done = true;
        delete state.startKey;
      }
      options.onProgress?.({
        ...structuredClone(totals),
        segment,
        segmentsDone: position.segments.filter((s) => s.done).length,
        totalSegments: position.totalSegments,
      });
    }
  };

  await Promise.all(
    position.segments.map((_, segment) =>
      runSegment(segment).catch((err: unknown) => {
        // This segment stops at the page that failed (its checkpoint is that page's start); the others go on.
        errors.push({ segment, message: err instanceof Error ? err.message : String(err) });
      }),
    ),
  );

  const changed = totals.customers.indexed + totals.customers.removed + totals.calls.counted + totals.callCountersReset > 0;
  if (changed) await deps.stats.dropSnapshot();
  const complete = errors.length === 0 && position.segments.every((s) => s.done);
  return {
    ...totals,
    complete,
    checkpoint: complete ? null : position,
    totalSegments: position.totalSegments,
    errors,
    ms: Date.now() - started,
  };
}
