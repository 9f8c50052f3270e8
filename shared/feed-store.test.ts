import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packList, unpackList } from './feed-store.js';

describe('packed lists', () => {
  it('round-trip exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: -5000, max: 20000 })), { maxLength: 120 }), fc.boolean(), (entries, complete) => {
        const list = { generatedAt: 1_795_000_000_123, complete, ids: Int32Array.from(entries, (e) => e[0]), scores: Int32Array.from(entries, (e) => e[1]) };
        const packed = packList(list);
        expect(packed.length).toBe(14 + 8 * entries.length);
        expect(unpackList(packed)).toEqual(list);
      }),
    );
  });
});
