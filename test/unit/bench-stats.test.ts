// The statistics `npm run bench` prints its module-load ratios with (lib/bench-stats.ts).
import { describe, expect, it } from 'vitest';
import { anotherRoundFits, fastThirdMean, median, quantile, ratioWithSpread, seededRandom, shuffled } from '../../lib/bench-stats';

describe('bench statistics', () => {
  it('median and quantiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([0, 10], 0.975)).toBeCloseTo(9.75);
    expect(() => median([])).toThrow();
  });

  it('the fastest-third mean ignores the slow samples, however slow', () => {
    expect(fastThirdMean([10, 12, 11, 13, 900, 1000])).toBe(10.5);
    // A third rounded down, at least one sample.
    expect(fastThirdMean([3, 1, 2, 100, 5])).toBe(1);
    expect(fastThirdMean([4, 2, 9, 6, 8, 7, 3, 5, 1])).toBe(2);
    expect(fastThirdMean([7])).toBe(7);
  });

  it('a ratio of steady samples has no spread; of noisy ones, one that holds the true ratio', () => {
    expect(ratioWithSpread([110, 110, 110], [100, 100, 100, 100], fastThirdMean)).toEqual({ ratio: 1.1, spread: 0 });
    const random = seededRandom(7);
    const noisy = (base: number, n: number) => Array.from({ length: n }, () => base * (1 + 0.1 * random()));
    const { ratio, spread } = ratioWithSpread(noisy(120, 15), noisy(100, 45), fastThirdMean);
    expect(spread).toBeGreaterThan(0.001);
    expect(spread).toBeLessThan(0.1);
    expect(Math.abs(ratio - 1.2)).toBeLessThan(spread * 2);
  });

  it('the same samples give the same spread', () => {
    const a = [10, 12, 15, 11, 13];
    const b = [9, 8, 10, 9.5, 8.5];
    expect(ratioWithSpread(a, b, median)).toEqual(ratioWithSpread(a, b, median));
  });

  it('a seeded shuffle is a permutation, the same for the same seed', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const once = shuffled(xs, seededRandom(3));
    expect([...once].sort((a, b) => a - b)).toEqual(xs);
    expect(once).not.toEqual(xs);
    expect(shuffled(xs, seededRandom(3))).toEqual(once);
    expect(shuffled(xs, seededRandom(4))).not.toEqual(once);
  });

  it('rounds of module loads: at least the minimum, at most the maximum, and in between what fits the budget', () => {
    const o = { minRounds: 15, maxRounds: 32, lastRoundMs: 20_000, budgetMs: 300_000 };
    // Below the minimum, whatever the time; at the maximum, never.
    expect(anotherRoundFits({ ...o, done: 14, elapsedMs: 400_000 })).toBe(true);
    expect(anotherRoundFits({ ...o, done: 32, elapsedMs: 0 })).toBe(false);
    // In between: only a round that would end within the budget.
    expect(anotherRoundFits({ ...o, done: 15, elapsedMs: 280_000 })).toBe(true);
    expect(anotherRoundFits({ ...o, done: 15, elapsedMs: 280_001 })).toBe(false);
    // No budget (BENCH_RUNS): every round up to the maximum.
    expect(anotherRoundFits({ ...o, budgetMs: undefined, done: 31, elapsedMs: 1e9 })).toBe(true);
  });
});
