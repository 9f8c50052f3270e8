// The columnar population's compact parts: interest lists interned per column set, and the id table
// that a loader thread builds and sends with the ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnsBuilder, columnsFrom, copyColumns, interestsAt, rowAt } from './columns.js';
import { IdLookup } from './id-lookup.js';
import type { Candidate } from './types.js';

const user = (id: number, interests: string[] | null): Candidate => ({
  id, age: 30, height: 170, genderBit: 1, interestMask: 2, ageMin: 18, ageMax: 99, heightMin: 100, heightMax: 250,
  likesGiven: 0, passesGiven: 0, likesReceived: 0, passesReceived: 0, days: 0, interests,
});
const tags = fc.option(fc.array(fc.constantFrom('hiking', 'jazz', 'films', 'a', 'a\u0001b', 'chess'), { maxLength: 4 }), { nil: null });

describe('columns', () => {
  it('gives back each row its own interests (none for an empty list), once per distinct list', () => {
    fc.assert(
      fc.property(fc.array(tags, { maxLength: 60 }), (lists) => {
        const cols = columnsFrom(lists.map((l, i) => user(i + 1, l)));
        lists.forEach((l, i) => expect(rowAt(cols, i).interests).toEqual(l?.length ? l : null));
        const distinct = new Set(lists.filter((l) => l?.length).map((l) => JSON.stringify(l)));
        expect(cols.interestLists.length).toBe(1 + distinct.size);
        const copy = copyColumns(cols);
        lists.forEach((l, i) => expect(interestsAt(copy, i)).toEqual(l?.length ? l : null));
      }),
    );
  });

  it('builds, a row at a time and growing as it goes, the very columns of the whole array at once', () => {
    const candidate = fc.record({
      id: fc.integer({ min: 1, max: 2 ** 31 - 1 }), age: fc.integer({ min: 18, max: 99 }), height: fc.integer({ min: 100, max: 250 }),
      genderBit: fc.constantFrom(1, 2, 4), interestMask: fc.integer({ min: 1, max: 7 }), ageMin: fc.integer({ min: 18, max: 99 }),
      ageMax: fc.integer({ min: 18, max: 99 }), heightMin: fc.integer({ min: 100, max: 250 }), heightMax: fc.integer({ min: 100, max: 250 }),
      likesGiven: fc.nat(), passesGiven: fc.nat(), likesReceived: fc.nat(), passesReceived: fc.nat(), days: fc.nat(), idleDays: fc.nat(),
      reach: fc.nat(), interests: tags,
    });
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (users, initial) => {
        const b = columnsBuilder(initial);
        for (const u of users) b.push(u);
        const built = b.done();
        const whole = columnsFrom(users);
        expect(built.length).toBe(users.length);
        for (const key of Object.keys(whole) as (keyof typeof whole)[]) {
          const w = whole[key];
          if (ArrayBuffer.isView(w)) expect(built[key], key).toEqual(w);
        }
        users.forEach((u, i) => expect(rowAt(built, i)).toEqual(rowAt(whole, i)));
        expect(built.interestLists).toEqual(whole.interestLists);
      }),
    );
  });

  it('finds every id through an id table built by another lookup of the same ids', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (ids, other) => {
        const col = Int32Array.from(ids);
        const adopted = new IdLookup(col, new IdLookup(col).table());
        ids.forEach((id, row) => expect(adopted.rowOf(id)).toBe(row));
        if (!ids.includes(other)) expect(adopted.rowOf(other)).toBe(-1);
      }),
    );
  });
});
