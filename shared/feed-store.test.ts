import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packList, unpackList } from './feed-store.js';

describe('packed lists', () => {
  it('round-trip exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: -5000, max: 20000 })), { maxLength: 120 }).map((e) => e.sort((a, b) => b[1] - a[1])),
        fc.boolean(),
        fc.bigInt({ min: 3n, max: 2n ** 63n }),
        fc.integer({ min: 1, max: 1e12 - 1 }),
        (entries, complete, xmin, ownerVersion) => {
          const list = { xmin: String(xmin), ownerVersion, generatedAt: 1_795_000_000_123, complete, ids: Int32Array.from(entries, (e) => e[0]), scores: Int32Array.from(entries, (e) => e[1]) };
          const packed = packList(list);
          expect(packed.length).toBe(50 + 6 * entries.length);
          expect(unpackList(packed)).toEqual(list);
        },
      ),
    );
  });

  it('order by (xmin, owner version) when their headers are compared as strings, as the Lua does', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 3n, max: 2n ** 63n }), fc.bigInt({ min: 3n, max: 2n ** 63n }), fc.nat({ max: 1e12 - 1 }), fc.nat({ max: 1e12 - 1 }), (x1, x2, v1, v2) => {
        const head = (x: bigint, v: number) => packList({ xmin: String(x), ownerVersion: v, generatedAt: 0, complete: false, ids: new Int32Array(), scores: new Int32Array() }).toString('latin1', 0, 32);
        const byNumbers = x1 === x2 ? Math.sign(v1 - v2) : x1 > x2 ? 1 : -1;
        const a = head(x1, v1), b = head(x2, v2);
        expect(a === b ? 0 : a > b ? 1 : -1).toBe(byNumbers);
      }),
    );
  });
});
