// Which swipes go out together: from the queue in arrival order, one swipe per pair, none of a pair
// already in flight, and a pair's swipes never out of order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairKey, takeBatch } from './swipe-batches.js';

const person = fc.integer({ min: 1, max: 6 });
const swipes = fc.array(fc.record({ swiper: person, swipee: person }), { maxLength: 40 });
const busyPairs = fc.array(fc.record({ swiper: person, swipee: person }), { maxLength: 4 }).map((ws) => new Set(ws.map(pairKey)));

describe('takeBatch', () => {
  it('takes each pair once, none busy, at most max, keeps order, and takes everything it can', () => {
    fc.assert(
      fc.property(swipes, busyPairs, fc.integer({ min: 1, max: 10 }), (ws, busy, max) => {
        const queue = ws.map((w, i) => ({ ...w, i }));
        const taken = takeBatch(queue, busy, max);
        const left = queue;
        // Nothing lost or doubled, and both parts keep arrival order.
        expect([...taken, ...left].map((w) => w.i).sort((a, b) => a - b)).toEqual(ws.map((_, i) => i));
        for (const part of [taken, left]) for (let k = 1; k < part.length; k++) expect(part[k]!.i).toBeGreaterThan(part[k - 1]!.i);
        expect(taken.length).toBeLessThanOrEqual(max);
        expect(new Set(taken.map(pairKey)).size).toBe(taken.length);
        expect(taken.some((t) => busy.has(pairKey(t)))).toBe(false);
        for (const w of left) {
          // Left behind only for a reason: its pair is busy, an earlier swipe of its pair is in the
          // batch or left too, or the batch is full.
          const earlier = queue.concat(taken).some((o) => o.i < w.i && pairKey(o) === pairKey(w));
          expect(busy.has(pairKey(w)) || earlier || taken.length === max).toBe(true);
          // No swipe of its pair is taken from behind it.
          expect(taken.some((t) => pairKey(t) === pairKey(w) && t.i > w.i)).toBe(false);
        }
      }),
    );
  });

  it('counts a pair the same whoever swipes, and keeps a later swipe of a pair behind its earlier one', () => {
    const queue = [{ swiper: 1, swipee: 2 }, { swiper: 2, swipee: 1 }, { swiper: 1, swipee: 3 }, { swiper: 3, swipee: 4 }, { swiper: 4, swipee: 3 }];
    expect(takeBatch(queue, new Set(['3:4']))).toEqual([{ swiper: 1, swipee: 2 }, { swiper: 1, swipee: 3 }]);
    expect(queue).toEqual([{ swiper: 2, swipee: 1 }, { swiper: 3, swipee: 4 }, { swiper: 4, swipee: 3 }]);
    expect(takeBatch(queue, new Set(), 1)).toEqual([{ swiper: 2, swipee: 1 }]);
    expect(takeBatch(queue)).toEqual([{ swiper: 3, swipee: 4 }]);
  });
});
