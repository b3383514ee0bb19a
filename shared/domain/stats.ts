// getStats — GET /v1/admin/stats: the dashboard's KPIs and their last twelve months.
//   input: whether the admin forces a rebuild (`refresh`); output: the figures and when they were computed.
//   1. read STATS / SNAPSHOT (one GetItem); younger than an hour (and no refresh): answer it;
//      with refresh: answer it when it was stored at most five seconds before this request arrived (a
//      burst of refreshes, ten admins pressing the button at once, computes once);
//   2. else take the rebuild lock (a conditional put with an expiry, so a crashed holder blocks no one
//      for long), read the snapshot again (a rebuild that ended meanwhile answers), else rebuild from the counters (one Query over STATS#COUNTERS: the TOTAL items and twelve
//      months of MONTH items, never the customers' or calls' rows), store the snapshot, give the lock back;
//   3. the lock taken by another request: wait for its snapshot, and answer that one.
// Counters are gauges now (customers, subscriptions in force by plan) and per-month changes, so a
// month's end is the gauge now minus the changes of the months after it. MRR is the subscriptions in
// force times their plan's monthly price (plans config). Months are UTC.
import { randomUUID } from 'node:crypto';
import type { Plan } from '../config/plans';
import type { CounterShard, StatsRepository } from '../db/stats';
import { AppError } from '../errors';
import { logger } from '../observability/logger';

export const SNAPSHOT_MAX_AGE_MS = 3_600_000;
/** A refresh takes figures stored this recently instead of computing them again. */
export const REFRESH_SHARED_MS = 5_000;
const LOCK_HOLD_MS = 30_000;
const WAIT_MS = 5_000;
const MONTHS = 12;

/** The problem slug of StatsRebuildingError (a plain constant: the route manifest names it). */
export const STATS_REBUILDING = 'stats-rebuilding';

export class StatsRebuildingError extends AppError {
  constructor() {
    super(503, STATS_REBUILDING, 'Service unavailable', 'The figures are being computed by another request. Try again in a moment.', { headers: { 'retry-after': '2' } });
  }
}

export interface StatsFigures {
  customers: number;
  activeSubscriptions: { total: number; byPlan: Record<string, number> };
  mrrCents: number;
  signups: number;
  calls: number;
  minutes: number;
}

export interface Stats {
  computedAt: string;
  currency: string;
  /** The current month's figures (customers and subscriptions: now). */
  kpis: StatsFigures & { month: string };
  /** The last twelve months, oldest first, the current one last: gauges at each month's end. */
  series: (StatsFigures & { month: string })[];
}

interface SnapshotBody {
  stats: Omit<Stats, 'computedAt'>;
  storedAt: string;
}

export interface StatsDeps {
  stats: StatsRepository;
  plans: readonly Pick<Plan, 'id' | 'monthlyPriceCents' | 'currency'>[];
  now?: () => Date;
  /** How long a request waits for another's rebuild (tests shorten it). */
  waitMs?: number;
}

/** The twelve months ending with `now`'s, oldest first ("2026-11"). */
export function lastMonths(now: Date, n = MONTHS): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
  return out;
}

/** The figures from the counters' shards. */
export function computeStats(shards: CounterShard[], plans: StatsDeps['plans'], now: Date): Omit<Stats, 'computedAt'> {
  const months = lastMonths(now);
  const totals: Record<string, number> = {};
  const byMonth = new Map<string, Record<string, number>>(months.map((m) => [m, {}]));
  for (const shard of shards) {
    const into = shard.period === 'total' ? totals : byMonth.get(shard.month);
    if (!into) continue;
    for (const [k, v] of Object.entries(shard.counters)) into[k] = (into[k] ?? 0) + v;
  }
  const price = (planId: string) => plans.find((p) => p.id === planId)?.monthlyPriceCents ?? 0;
  let customers = totals.customers ?? 0;
  const active: Record<string, number> = Object.fromEntries(plans.map((p) => [p.id, totals[`active_${p.id}`] ?? 0]));
  const series: Stats['series'] = [];
  for (const month of [...months].reverse()) {
    const m = byMonth.get(month)!;
    const total = Object.values(active).reduce((a, b) => a + b, 0);
    series.unshift({
      month,
      customers,
      activeSubscriptions: { total, byPlan: { ...active } },
      mrrCents: Object.entries(active).reduce((sum, [plan, n]) => sum + n * price(plan), 0),
      signups: m.signups ?? 0,
      calls: m.calls ?? 0,
      minutes: Math.round((m.callSeconds ?? 0) / 60),
    });
    // The month before ends where this one started.
    customers -= (m.signups ?? 0) - (m.removals ?? 0);
    for (const plan of Object.keys(active)) active[plan]! -= m[`delta_${plan}`] ?? 0;
  }
  return { currency: plans[0]?.currency ?? 'EUR', kpis: series.at(-1)!, series };
}

const answer = (snap: { computedAt: string; stats: SnapshotBody }): Stats => ({ computedAt: snap.computedAt, ...snap.stats.stats });

export async function getStats(deps: StatsDeps, input: { refresh: boolean }): Promise<Stats> {
  const now = deps.now ?? (() => new Date());
  const arrival = now();
  // Good enough: younger than an hour; with refresh, stored at most REFRESH_SHARED_MS before this request
  // arrived (a burst of refreshes shares one rebuild, even those that arrive just after it ended).
  const usable = (snap: { computedAt: string; stats: SnapshotBody } | undefined) =>
    !!snap &&
    (input.refresh
      ? Date.parse(snap.stats.storedAt) >= arrival.getTime() - REFRESH_SHARED_MS
      : arrival.getTime() - Date.parse(snap.computedAt) < SNAPSHOT_MAX_AGE_MS);
  const seen = await deps.stats.getSnapshot<SnapshotBody>();
  if (usable(seen)) return answer(seen!);

  const owner = randomUUID();
  if (await deps.stats.lock(owner, now(), LOCK_HOLD_MS)) {
    try {
      // A rebuild may have finished between the read above and the lock: then it is the answer.
      const latest = await deps.stats.getSnapshot<SnapshotBody>();
      if (usable(latest)) return answer(latest!);
      const at = now();
      const stats = computeStats(await deps.stats.readCounters(lastMonths(at)[0]!), deps.plans, at);
      const snap = { computedAt: at.toISOString(), stats: { stats, storedAt: now().toISOString() } };
      await deps.stats.putSnapshot(snap);
      logger.info('stats rebuilt', { computedAt: snap.computedAt });
      return answer(snap);
    } finally {
      await deps.stats.unlock(owner);
    }
  }

  // Another request rebuilds: its snapshot is the answer.
  const deadline = Date.now() + (deps.waitMs ?? WAIT_MS);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    const snap = await deps.stats.getSnapshot<SnapshotBody>();
    if (snap && (!seen || snap.stats.storedAt > seen.stats.storedAt)) return answer(snap);
  }
  if (seen) return answer(seen);
  throw new StatsRebuildingError();
}
