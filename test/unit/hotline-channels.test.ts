// The lease arithmetic of a hotline's channels (shared/db/hotline-channels.ts): when a lease ends, which
// leases still count, what a take does with the leases it reads, and how a call's takes become one write.
import { describe, expect, it } from 'vitest';
import { SWEEP_BATCH, leaseExpiry, leaseLive, planLeases, planTake, type ChannelLease } from '../../shared/db/hotline-channels';

const at = (iso: string) => new Date(iso);
const T = at('2026-03-01T12:00:00.750Z');
const sec = Math.floor(T.getTime() / 1000);

describe('a lease', () => {
  it('ends leaseSeconds after its take, in whole epoch seconds (the fraction of the take\'s second dropped)', () => {
    expect(leaseExpiry(T, 14_400)).toBe(sec + 14_400);
    expect(leaseExpiry(at('2026-03-01T12:00:00.000Z'), 60)).toBe(sec + 60);
  });

  it('counts until its expiry second has begun, not after', () => {
    const lease = { exp: sec + 60 };
    expect(leaseLive(lease, new Date((sec + 59) * 1000 + 999))).toBe(true);
    expect(leaseLive(lease, new Date((sec + 60) * 1000))).toBe(false);
    expect(leaseLive(lease, new Date((sec + 61) * 1000))).toBe(false);
  });
});

describe('a take, planned on the leases read', () => {
  const leases = (live: number, expired: number): Record<string, ChannelLease> => ({
    ...Object.fromEntries(Array.from({ length: live }, (_, i) => [`live-${i}`, { exp: sec + 100 + i }])),
    // Oldest last, to show they are swept oldest first.
    ...Object.fromEntries(Array.from({ length: expired }, (_, i) => [`gone-${i}`, { exp: sec - i }])),
  });

  it('takes a free channel; a full hotline is full', () => {
    expect(planTake(leases(1, 0), 'new', 2, T)).toEqual({ action: 'take', expired: [] });
    expect(planTake(leases(2, 0), 'new', 2, T)).toEqual({ action: 'full' });
    expect(planTake({}, 'new', 1, T)).toEqual({ action: 'take', expired: [] });
  });

  it('does not count expired leases, and removes them with the take, oldest first', () => {
    expect(planTake(leases(1, 3), 'new', 2, T)).toEqual({ action: 'take', expired: ['gone-2', 'gone-1', 'gone-0'] });
    // Expired ones alone never fill a hotline.
    expect(planTake(leases(0, 5), 'new', 1, T)).toEqual({ action: 'take', expired: ['gone-4', 'gone-3', 'gone-2', 'gone-1', 'gone-0'] });
    expect(planTake(leases(2, 3), 'new', 2, T)).toEqual({ action: 'full' });
  });

  it("refreshes the call's own lease (a hook delivered again), even on a full hotline or a lowered limit, even expired", () => {
    expect(planTake(leases(2, 0), 'live-1', 2, T)).toEqual({ action: 'refresh' });
    expect(planTake(leases(3, 0), 'live-0', 1, T)).toEqual({ action: 'refresh' });
    expect(planTake(leases(0, 2), 'gone-1', 1, T)).toEqual({ action: 'refresh' });
  });

  it('a lowered limit: the leases above it stay, and no new call is taken until they are fewer than it', () => {
    expect(planTake(leases(3, 0), 'new', 2, T)).toEqual({ action: 'full' });
    expect(planTake(leases(1, 0), 'new', 2, T)).toEqual({ action: 'take', expired: [] });
  });

  it(`removes more than ${SWEEP_BATCH} expired leases in batches of their own first`, () => {
    const plan = planTake(leases(1, SWEEP_BATCH + 5), 'new', 2, T);
    expect(plan.action).toBe('sweepOnly');
    expect(plan).toMatchObject({ expired: expect.arrayContaining([`gone-${SWEEP_BATCH + 4}`]) });
    expect((plan as { expired: string[] }).expired).toHaveLength(SWEEP_BATCH);
    expect(planTake(leases(1, SWEEP_BATCH), 'new', 2, T)).toMatchObject({ action: 'take' });
  });
});

describe("a call's takes, planned as one write", () => {
  const t = { tableName: 'fonella', doc: undefined, client: undefined } as unknown as Parameters<typeof planLeases>[0];
  const req = (takes: { dir: 'inbound' | 'outbound'; limit: number; phone?: string }[]) => ({ hotlineID: 7, callSid: 'call-1', now: T, leaseSeconds: 60, takes });
  const item = (inbound: Record<string, ChannelLease>, outbound: Record<string, ChannelLease>) => ({ pk: 'HOTLINE#7', sk: 'CHANNELS', inbound, outbound });
  type Input = Record<string, unknown> & { UpdateExpression?: string; ConditionExpression?: string; Item?: Record<string, unknown> };
  /** A plan that takes (no sweep first): what it took, and its write's input. */
  const taking = (plan: ReturnType<typeof planLeases>) => {
    if ('sweep' in plan) throw new Error('a sweep was planned');
    const w = plan.write as { Put?: Input; Update?: Input } | undefined;
    return { taken: plan.taken, put: w?.Put, update: w?.Update };
  };

  it('a hotline without leases yet: one conditional put holding both', () => {
    const plan = taking(planLeases(t, req([{ dir: 'inbound', limit: 1 }, { dir: 'outbound', limit: 1, phone: '+4915112345678' }]), undefined));
    expect(plan.taken).toEqual({ inbound: true, outbound: true });
    expect(plan.put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(plan.put?.Item).toMatchObject({ inbound: { 'call-1': { exp: sec + 60 } }, outbound: { 'call-1': { exp: sec + 60, phone: '+4915112345678' } } });
  });

  it('both taken in one update, each with its own size condition; a full outbound leaves the inbound take alone', () => {
    const both = taking(planLeases(t, req([{ dir: 'inbound', limit: 2 }, { dir: 'outbound', limit: 1, phone: '+49' }]), item({ a: { exp: sec + 9 } }, {})));
    expect(both.taken).toEqual({ inbound: true, outbound: true });
    expect(both.update?.UpdateExpression).toBe('SET #d0.#sid = :l0, #d1.#sid = :l1');
    expect(both.update?.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(#d0.#sid) AND size(#d0) < :c0 AND attribute_not_exists(#d1.#sid) AND size(#d1) < :c1');
    const outboundFull = taking(planLeases(t, req([{ dir: 'inbound', limit: 2 }, { dir: 'outbound', limit: 1, phone: '+49' }]), item({}, { b: { exp: sec + 9, phone: '+1' } })));
    expect(outboundFull.taken).toEqual({ inbound: true, outbound: false });
    expect(outboundFull.update?.UpdateExpression).toBe('SET #d0.#sid = :l0');
  });

  it('a full inbound takes nothing and writes nothing (the call is declined), not even an outbound channel', () => {
    const plan = taking(planLeases(t, req([{ dir: 'inbound', limit: 1 }, { dir: 'outbound', limit: 5, phone: '+49' }]), item({ a: { exp: sec + 9 } }, {})));
    expect(plan).toEqual({ taken: { inbound: false }, put: undefined, update: undefined });
  });

  it(`more than ${SWEEP_BATCH} expired leases: a sweep of them first, no take`, () => {
    const stale = Object.fromEntries(Array.from({ length: SWEEP_BATCH + 1 }, (_, i) => [`gone-${i}`, { exp: sec - 1 - i }]));
    const plan = planLeases(t, req([{ dir: 'inbound', limit: 100 }]), item(stale, {}));
    if (!('sweep' in plan)) throw new Error('no sweep planned');
    expect(String(plan.sweep.UpdateExpression).split(',')).toHaveLength(SWEEP_BATCH);
  });
});
