// GET /v1/admin/stats through the local API: figures from counters the stream workers keep exact
// (customers, sign-ups, subscriptions in force by plan and MRR, calls and minutes, each counted once
// however often a record comes), served from the snapshot for an hour, computed again on `refresh=1`
// or when the snapshot is older, by one request of ten concurrent ones; the lock expires; a customer's
// token is refused.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { callsRepository, type CallRow } from '../../shared/db/calls';
import { bareCall } from '../support/rows';
import { statsRepository } from '../../shared/db/stats';
import { subscriptionsRepository } from '../../shared/db/subscriptions';
import { usersRepository } from '../../shared/db/users';
import { lastMonths } from '../../shared/domain/stats';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

const PATH = '/v1/admin/stats';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const stats = (query = '', token = stack.tokens.admin) => stack.call('GET', `${PATH}${query}`, { token });
/** Ages the stored snapshot past the window in which a refresh shares it (REFRESH_SHARED_MS). */
async function ageSnapshot(ms = 10_000) {
  const repo = statsRepository(stack.table);
  const snap = await repo.getSnapshot<{ stats: unknown; storedAt: string }>();
  if (!snap) return;
  const ago = (iso: string) => new Date(Date.parse(iso) - ms).toISOString();
  await repo.putSnapshot({ computedAt: ago(snap.computedAt), stats: { ...snap.stats, storedAt: ago(snap.stats.storedAt) } });
}
const fresh = async () => {
  await settle(stack);
  await ageSnapshot();
  const res = await stats('?refresh=1');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const thisMonth = () => new Date().toISOString().slice(0, 7);

async function customer(opts: { settings?: boolean; plan?: 'starter' | 'business' | 'premium'; status?: string; createdAt?: string } = {}) {
  const userId = `auth0|stats-${randomUUID().slice(0, 8)}`;
  const at = opts.createdAt ?? new Date().toISOString();
  if (opts.settings !== false) {
    await usersRepository(stack.table).createSettingsIfMissing({ userId, email: `${userId.slice(6)}@example.com`, name: 'Stats', timezone: 'Europe/Berlin', locale: 'de', role: 'owner', createdAt: at, updatedAt: at });
  }
  if (opts.plan) await subscriptionsRepository(stack.table).put(userId, { planId: opts.plan, status: opts.status ?? 'active', createdAt: at, updatedAt: at });
  return userId;
}

const call = (_userId: string, durationSeconds: number, startedAt = new Date().toISOString()): CallRow => bareCall(startedAt, durationSeconds, 'asst-stats');

describe('the figures', () => {
  it('count customers, sign-ups, subscriptions in force by plan and MRR, and follow a cancellation', async () => {
    const before = await fresh();
    expect(before.series.map((s: { month: string }) => s.month)).toEqual(lastMonths(new Date()));
    expect(before.kpis.month).toBe(thisMonth());

    await customer();
    await customer({ settings: false, plan: 'business' });
    const premium = await customer({ plan: 'premium' });
    await customer({ plan: 'starter', status: 'incomplete' });
    const after = await fresh();
    expect(after.kpis.customers - before.kpis.customers).toBe(4);
    expect(after.kpis.signups - before.kpis.signups).toBe(4);
    expect(after.kpis.activeSubscriptions.byPlan.business - before.kpis.activeSubscriptions.byPlan.business).toBe(1);
    expect(after.kpis.activeSubscriptions.byPlan.premium - before.kpis.activeSubscriptions.byPlan.premium).toBe(1);
    expect(after.kpis.activeSubscriptions.byPlan.starter - before.kpis.activeSubscriptions.byPlan.starter).toBe(0);
    expect(after.kpis.activeSubscriptions.total - before.kpis.activeSubscriptions.total).toBe(2);
    expect(after.kpis.mrrCents - before.kpis.mrrCents).toBe(7900 + 19900);
    expect(after.currency).toBe('EUR');

    await subscriptionsRepository(stack.table).put(premium, { planId: 'premium', status: 'canceled', createdAt: new Date().toISOString(), updatedAt: new Date(Date.now() + 1).toISOString() });
    const canceled = await fresh();
    expect(canceled.kpis.activeSubscriptions.byPlan.premium).toBe(before.kpis.activeSubscriptions.byPlan.premium);
    expect(canceled.kpis.mrrCents - before.kpis.mrrCents).toBe(7900);
    expect(canceled.kpis.customers).toBe(after.kpis.customers);
  });

  it('a customer who came months ago counts in that month; the series ends each month with its gauge', async () => {
    const months = lastMonths(new Date());
    const before = await fresh();
    await customer({ createdAt: `${months[3]}-15T10:00:00.000Z` });
    const after = await fresh();
    const diff = after.series.map((s: { customers: number }, i: number) => s.customers - before.series[i].customers);
    expect(diff).toEqual(months.map((_, i) => (i >= 3 ? 1 : 0)));
    expect(after.series[3].signups - before.series[3].signups).toBe(1);
    expect(after.kpis.signups).toBe(before.kpis.signups);
  });

  it('counts calls and minutes in the month they started, once however often the record comes', async () => {
    const userId = await customer();
    const before = await fresh();
    const calls = callsRepository(stack.table);
    const first = call(userId, 95);
    await calls.create(userId, first);
    await calls.create(userId, call(userId, 30));
    const after = await fresh();
    expect(after.kpis.calls - before.kpis.calls).toBe(2);
    expect(after.kpis.minutes - Math.round(((before.kpis.minutes as number) * 60) / 60)).toBeGreaterThanOrEqual(2);

    const state = await settle(stack);
    const { handler } = (await import('../../functions/streams/count-call')) as { handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }> };
    for (let i = 0; i < 3; i++) {
      const context = lambdaContext('countCall', 30_000);
      const out = await invoke(context, () =>
        handler(
          {
            Records: [
              {
                eventID: `again-${i}`,
                eventName: 'INSERT',
                dynamodb: { Keys: marshall({ pk: `USER#${userId}`, sk: `CALL#${first.startedAt}#${first.callId}` }) as never, NewImage: marshall(first, { removeUndefinedValues: true }) as never, SequenceNumber: '900000000000000000002' },
              },
            ],
          },
          context,
        ),
      );
      expect(out.batchItemFailures).toEqual([]);
    }
    await expectUnchanged(stack, state, 'a call record delivered again');
    expect((await fresh()).kpis.calls).toBe(after.kpis.calls);
  });
});

describe('the snapshot', () => {
  it('is answered for an hour, computed again on refresh=1 or when older', async () => {
    const first = await fresh();
    await customer();
    await settle(stack);
    const cached = await stats();
    expect(cached.body).toEqual(first);
    // A refresh right after one shares its figures.
    expect((await stats('?refresh=1')).body).toEqual(first);

    await ageSnapshot();
    const refreshed = await stats('?refresh=1');
    expect(refreshed.body.computedAt > first.computedAt).toBe(true);
    expect(refreshed.body.kpis.customers).toBe(first.kpis.customers + 1);

    // An hour and more old: the next read computes it again.
    const old = await statsRepository(stack.table).getSnapshot<{ stats: unknown; storedAt: string }>();
    await statsRepository(stack.table).putSnapshot({ computedAt: new Date(Date.now() - 3_601_000).toISOString(), stats: old!.stats });
    await customer();
    await settle(stack);
    const recomputed = await stats();
    expect(Date.now() - Date.parse(recomputed.body.computedAt)).toBeLessThan(60_000);
    expect(recomputed.body.kpis.customers).toBe(first.kpis.customers + 2);
  });

  it('ten concurrent refreshes compute it once and all answer those figures', async () => {
    const before = await fresh();
    await customer();
    await settle(stack);
    await ageSnapshot();
    const answers = await Promise.all(Array.from({ length: 10 }, () => stats('?refresh=1')));
    expect(answers[0]!.body.kpis.customers).toBe(before.kpis.customers + 1);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.body.computedAt)).size).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
  });

  it('a lock left by a crashed rebuild expires', async () => {
    const stale = await statsRepository(stack.table).lock('crashed', new Date(Date.now() - 60_000), 30_000);
    expect(stale).toBe(true);
    await ageSnapshot();
    const before = await stats();
    const res = await stats('?refresh=1');
    expect(res.status).toBe(200);
    expect(res.body.computedAt > before.body.computedAt).toBe(true);
  });

  it('a held lock keeps a second rebuild from running: the request waits and answers the snapshot it had', async () => {
    await fresh();
    await ageSnapshot();
    const aged = (await statsRepository(stack.table).getSnapshot())!.computedAt;
    expect(await statsRepository(stack.table).lock('someone-else', new Date(), 30_000)).toBe(true);
    try {
      const res = await stats('?refresh=1');
      expect(res.status).toBe(200);
      expect(res.body.computedAt).toBe(aged);
    } finally {
      await statsRepository(stack.table).unlock('someone-else');
    }
  });
});

describe('access', () => {
  it('a customer token is 403 admin-required, with nothing written', async () => {
    const before = await settle(stack);
    for (const q of ['', '?refresh=1']) {
      const res = await stats(q, stack.tokens.customer);
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:fonella:problem:admin-required');
    }
    await expectUnchanged(stack, before, 'a customer on the stats');
  });

  it.each(['?refresh=0', '?refresh=yes', '?since=2026'])('%s is 400', async (q) => {
    expect((await stats(q)).status).toBe(400);
  });
});
