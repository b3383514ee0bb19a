// The statistics of `npm run bench` (scripts/bench.ts): robust figures from a few samples, and how far
// a ratio of two of them may be trusted.

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-quantile (0..1), interpolated between the nearest ranks. */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('quantile of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

/**
 * The mean of the fastest third of the samples (at least one): a trimmed mean that drops only slow
 * samples. For a cost that other work on the machine can only add to (a process's CPU time grows when
 * another evicts its caches), the fast samples are the undisturbed ones; the mean of a third of them is
 * steadier than the minimum, and than the fastest half when the machine is busy (scripts/bench-loads.ts).
 */
export function fastThirdMean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of no samples');
  const s = [...xs].sort((a, b) => a - b).slice(0, Math.max(1, Math.floor(xs.length / 3)));
  return s.reduce((a, b) => a + b, 0) / s.length;
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `xs` in a random order drawn from `random` (Fisher–Yates). */
export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * estimate(a) / estimate(b), and its spread: half the width of the central 95 % of the same ratio over
 * `resamples` bootstrap resamples (each sample set drawn again, with replacement, to its own size), so
 * about how far a second run's ratio may land. Seeded: the same samples always give the same spread.
 */
export function ratioWithSpread(
  a: readonly number[],
  b: readonly number[],
  estimate: (xs: readonly number[]) => number,
  resamples = 1000,
  seed = 1,
): { ratio: number; spread: number } {
  const random = seededRandom(seed);
  const draw = (xs: readonly number[]) => Array.from(xs, () => xs[Math.floor(random() * xs.length)]!);
  const ratios = Array.from({ length: resamples }, () => estimate(draw(a)) / estimate(draw(b)));
  return { ratio: estimate(a) / estimate(b), spread: (quantile(ratios, 0.975) - quantile(ratios, 0.025)) / 2 };
}

/**
 * Whether the bench starts another round of module loads: always below `minRounds`, never at
 * `maxRounds`, and in between only when a round as long as the last would end within `budgetMs`
 * (no budget: every round up to `maxRounds`).
 */
export function anotherRoundFits(o: { done: number; minRounds: number; maxRounds: number; elapsedMs: number; lastRoundMs: number; budgetMs?: number }): boolean {
  if (o.done >= o.maxRounds) return false;
  if (o.done < o.minRounds || o.budgetMs === undefined) return true;
  return o.elapsedMs + o.lastRoundMs <= o.budgetMs;
}
