// The positions of an offset page (shared/db/positions.ts): newest first, the page at offset o of a list
// of n is positions n - o down to n - o - limit + 1; oldest first, o + 1 up to o + limit; past the end,
// none; never a position outside 1..n.
import { describe, expect, it } from 'vitest';
import { pagePositions } from '../../shared/db/positions';

const positions = (total: number, limit: number, offset: number, newestFirst: boolean) => {
  const { from, to } = pagePositions(total, { limit, offset }, newestFirst);
  const out: number[] = [];
  if (newestFirst) for (let p = to; p >= from; p--) out.push(p);
  else for (let p = from; p <= to; p++) out.push(p);
  return out;
};

describe('pagePositions', () => {
  it('newest first: the last positions first, the oldest on the last page', () => {
    expect(positions(25, 10, 0, true)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(positions(25, 10, 20, true)).toEqual([5, 4, 3, 2, 1]);
    expect(positions(25, 10, 24, true)).toEqual([1]);
    expect(positions(10_000, 10, 5_000, true)).toEqual([5000, 4999, 4998, 4997, 4996, 4995, 4994, 4993, 4992, 4991]);
  });

  it('oldest first: positions from 1', () => {
    expect(positions(3, 2, 0, false)).toEqual([1, 2]);
    expect(positions(3, 2, 2, false)).toEqual([3]);
  });

  it('past the end, or of an empty list: no positions', () => {
    for (const newestFirst of [true, false]) {
      expect(positions(25, 10, 25, newestFirst)).toEqual([]);
      expect(positions(25, 10, 1000, newestFirst)).toEqual([]);
      expect(positions(0, 10, 0, newestFirst)).toEqual([]);
    }
  });

  it('every page lies in 1..total and the pages together are the list once', () => {
    for (const total of [0, 1, 9, 10, 11, 57]) {
      for (const limit of [1, 7, 10, 50]) {
        for (const newestFirst of [true, false]) {
          const all: number[] = [];
          for (let offset = 0; offset < total + limit; offset += limit) all.push(...positions(total, limit, offset, newestFirst));
          const expected = Array.from({ length: total }, (_, i) => (newestFirst ? total - i : i + 1));
          expect(all, `${total} by ${limit}`).toEqual(expected);
        }
      }
    }
  });
});
