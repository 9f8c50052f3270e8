import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnsFrom } from './columns.js';
import { mutual } from './compatible.js';
import { PPM, inReachSample, reachIn, reachModulus, reachMoved, reachOf, reachSample } from './reach.js';
import type { Candidate } from './types.js';

// Small ranges around a crowded centre, so that some pairs fit and some do not, on every rule.
const person = fc.record({
  age: fc.integer({ min: 18, max: 40 }), height: fc.integer({ min: 150, max: 200 }),
  genderBit: fc.constantFrom(1, 2, 4, 8), interestMask: fc.integer({ min: 1, max: 15 }),
  ageMin: fc.integer({ min: 18, max: 30 }), ageSpan: fc.integer({ min: 0, max: 15 }),
  heightMin: fc.integer({ min: 150, max: 180 }), heightSpan: fc.integer({ min: 0, max: 40 }),
});
const population = (max: number) =>
  fc.array(person, { minLength: 1, maxLength: max }).map((ps) =>
    ps.map((p, i): Candidate => ({
      id: i * 7 + 3, age: p.age, height: p.height, genderBit: p.genderBit, interestMask: p.interestMask,
      ageMin: p.ageMin, ageMax: p.ageMin + p.ageSpan, heightMin: p.heightMin, heightMax: p.heightMin + p.heightSpan,
    })),
  );

/** The definition, by brute force: the share of the sample's others that v is mutually eligible with. */
function bruteReach(users: Candidate[], v: Candidate, sample: number, counted = users): number {
  const m = reachModulus(counted.length, sample, sample);
  const others = counted.filter((u) => u.id !== v.id && inReachSample(u.id, m));
  if (!others.length) return 0;
  return Math.max(1, Math.round((PPM * others.filter((u) => mutual(u, v)).length) / others.length));
}

describe('reachOf', () => {
  it('counts everyone against everyone up to the sample size', () => {
    fc.assert(
      fc.property(population(60), (users) => {
        const cols = columnsFrom(users);
        const got = [...reachOf(reachSample(cols, undefined, 64, 64), cols)];
        const share = users.map((v) => {
          const n = users.filter((u) => mutual(u, v)).length;
          return users.length > 1 ? Math.max(1, Math.round((PPM * n) / (users.length - 1))) : 0;
        });
        expect(got).toEqual(share);
      }),
    );
  });

  it('counts against the id-hashed sample of those who count past it, for any rows asked and anyone else', () => {
    fc.assert(
      fc.property(population(120), fc.integer({ min: 2, max: 40 }), fc.array(fc.boolean(), { minLength: 120 }), fc.array(fc.nat(), { maxLength: 20 }), person, (users, sample, shown, picks, stranger) => {
        const cols = columnsFrom(users);
        const counts = Uint8Array.from(users, (_, i) => (shown[i] ? 1 : 0));
        const counted = users.filter((_, i) => shown[i]);
        const s = reachSample(cols, counts, sample, sample);
        expect([...reachOf(s, cols)]).toEqual(users.map((v) => bruteReach(users, v, sample, counted)));
        const rows = picks.map((p) => p % users.length);
        expect([...reachOf(s, cols, rows)]).toEqual(rows.map((r) => bruteReach(users, users[r]!, sample, counted)));
        const newcomer: Candidate = { ...stranger, id: 999_999, ageMax: stranger.ageMin + stranger.ageSpan, heightMax: stranger.heightMin + stranger.heightSpan };
        expect(reachIn(s, newcomer)).toBe(bruteReach([...users, newcomer], newcomer, sample, counted));
      }),
    );
  });

  it('gives someone nobody can see the least known reach, 1, and a lone user none', () => {
    const man: Candidate = { id: 1, age: 30, height: 180, genderBit: 4, interestMask: 2, ageMin: 25, ageMax: 35, heightMin: 150, heightMax: 190 };
    const woman: Candidate = { ...man, id: 2, genderBit: 2, interestMask: 4, height: 165 };
    const all = (users: Candidate[]) => [...reachOf(reachSample(columnsFrom(users)), columnsFrom(users))];
    expect(all([man, { ...woman, ageMin: 40, ageMax: 50 }])).toEqual([1, 1]);
    expect(all([man, woman])).toEqual([PPM, PPM]);
    expect(all([man])).toEqual([0]);
  });

  it('samples about one id in m, the same ids whatever the population', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    const m = reachModulus(ids.length, 1000, 4096);
    expect(m).toBe(100);
    const n = ids.filter((id) => inReachSample(id, m)).length;
    expect(n).toBeGreaterThan(900);
    expect(n).toBeLessThan(1100);
    expect(reachModulus(4096, 1000, 4096)).toBe(1);
    expect(reachModulus(4097, 1000, 4096)).toBe(5);
  });

  it('keeps a larger modulus\'s sample inside a smaller one\'s: the sample barely moves as the population grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (id, m, more) => {
        if (inReachSample(id, m + more)) expect(inReachSample(id, m)).toBe(true);
      }),
    );
    // 1M users, then 2,048 more (the modulus goes from 489 to 490): nearly the same sample.
    const sampleOf = (n: number) => {
      const m = reachModulus(n);
      return Array.from({ length: n }, (_, i) => i + 1).filter((id) => inReachSample(id, m));
    };
    const before = sampleOf(1_000_000), after = new Set(sampleOf(1_002_048));
    expect(reachModulus(1_002_048)).toBe(reachModulus(1_000_000) + 1);
    expect(before.filter((id) => after.has(id)).length).toBeGreaterThan(0.99 * before.length);
  });

  it('spreads the sample evenly over the ids (a tenth of it in each tenth of them)', () => {
    for (const n of [1_000_000, 1_002_048]) {
      const m = reachModulus(n);
      const tenths = new Array<number>(10).fill(0);
      for (let id = 1; id <= n; id++) if (inReachSample(id, m)) tenths[Math.floor(((id - 1) * 10) / n)]!++;
      const share = tenths.reduce((a, b) => a + b) / 10;
      for (const t of tenths) {
        expect(t).toBeGreaterThan(0.75 * share);
        expect(t).toBeLessThan(1.25 * share);
      }
    }
  });

  it('replaces a stored reach only when none is stored or it moved by more than 10%', () => {
    expect(reachMoved(0, 5)).toBe(true);
    expect(reachMoved(100_000, 0)).toBe(false); // nothing counted: keep what is there
    expect(reachMoved(100_000, 110_000)).toBe(false);
    expect(reachMoved(100_000, 90_500)).toBe(false);
    expect(reachMoved(100_000, 111_000)).toBe(true);
    expect(reachMoved(100_000, 90_000)).toBe(true);
  });

  it('counts the ends of every range as inside, one past them as outside', () => {
    const man: Candidate = { id: 1, age: 30, height: 180, genderBit: 4, interestMask: 2, ageMin: 25, ageMax: 35, heightMin: 150, heightMax: 190 };
    const her = (o: Partial<Candidate>): Candidate => ({ id: 0, age: 30, height: 170, genderBit: 2, interestMask: 4, ageMin: 20, ageMax: 40, heightMin: 140, heightMax: 200, ...o });
    const inside = [{ age: 25 }, { age: 35 }, { height: 150 }, { height: 190 }, { ageMin: 30 }, { ageMax: 30 }, { heightMin: 180 }, { heightMax: 180 }];
    const outside = [{ age: 24 }, { age: 36 }, { height: 149 }, { height: 191 }, { ageMin: 31 }, { ageMax: 29 }, { heightMin: 181 }, { heightMax: 179 }];
    const women = [...inside, ...outside].map((o, i) => her({ ...o, id: i + 2 }));
    const cols = columnsFrom([man, ...women]);
    const got = reachOf(reachSample(cols), cols);
    expect(got[0]).toBe(PPM / 2);
    expect([...got.subarray(1)]).toEqual([...inside.map(() => Math.round(PPM / 16)), ...outside.map(() => 1)]);
  });
});
