// The id ranges the reach promotion walks: every id once, no statement over its span.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idRanges } from './swipe-counts.js';

describe('idRanges', () => {
  it('covers lo..hi in order, each id once, at most span ids a range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 2 ** 31 - 300 }), fc.nat(250), fc.integer({ min: 1, max: 40 }), (lo, width, span) => {
        const hi = lo + width;
        const ranges = idRanges(lo, hi, span);
        expect(ranges[0]![0]).toBe(lo);
        expect(ranges.at(-1)![1]).toBe(hi);
        for (const [i, [from, to]] of ranges.entries()) {
          expect(to - from + 1).toBeGreaterThan(0);
          expect(to - from + 1).toBeLessThanOrEqual(span);
          if (i > 0) expect(from).toBe(ranges[i - 1]![1] + 1);
        }
        expect(ranges.length).toBe(Math.ceil((width + 1) / span));
      }),
    );
  });

  it('keeps the last range inside the int range of the ids', () => {
    expect(idRanges(2 ** 31 - 3, 2 ** 31 - 1, 100_000)).toEqual([[2 ** 31 - 3, 2 ** 31 - 1]]);
    expect(idRanges(5, 4, 10)).toEqual([]);
  });
});
