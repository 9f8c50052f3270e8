import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MatchIndex, askerOrder, columnsFrom, swipeViewFrom, type SwipeView } from './engine.js';
import { eligibleBruteForce, topKBruteForce } from './brute-force.js';
import { LIKED_YOU_BONUS, score } from './score.js';
import type { Candidate } from './types.js';

const NOT_STATED = 1, WOMAN = 2, MAN = 4, NONBINARY = 8, ALL = 15;

/** A woman of 30, 170 cm, looking for men of 25-35 and 160-185 cm; override what a case is about. */
const woman = (o: Partial<Candidate> = {}): Candidate => ({
  id: 2, age: 30, height: 170, genderBit: WOMAN, interestMask: MAN,
  ageMin: 25, ageMax: 35, heightMin: 160, heightMax: 185, ...o,
});
/** The asker of most cases: a man of 30, 175 cm, looking for women of 25-35 and 160-180 cm. */
const man = (o: Partial<Candidate> = {}): Candidate => ({
  id: 1, age: 30, height: 175, genderBit: MAN, interestMask: WOMAN,
  ageMin: 25, ageMax: 35, heightMin: 160, heightMax: 180, ...o,
});

const noSwipes = swipeViewFrom(new Int32Array(0), new Int32Array(0));
const sorted = (ids: number[]) => Int32Array.from(new Set(ids)).sort();
/** The same swipes without the list of likers, so the engine takes its general path. */
const predicates = (excluded: number[], liked: number[]): SwipeView => ({
  excluded: (id) => excluded.includes(id),
  likedYou: (id) => liked.includes(id),
});

describe('MatchIndex eligibility, one rule at a time', () => {
  const cases: [string, Partial<Candidate>, Partial<Candidate>, boolean][] = [
    ['both fit each other', {}, {}, true],
    ['her age at my minimum', {}, { age: 25 }, true],
    ['her age below my minimum', {}, { age: 24 }, false],
    ['her age at my maximum', {}, { age: 35 }, true],
    ['her age above my maximum', {}, { age: 36 }, false],
    ['her height at my minimum', {}, { height: 160 }, true],
    ['her height below my minimum', {}, { height: 159 }, false],
    ['her height above my maximum', {}, { height: 181 }, false],
    ['my age below her minimum', { age: 24, ageMin: 18 }, {}, false],
    ['my age above her maximum', { age: 36, ageMax: 40 }, {}, false],
    ['my age at her maximum', { age: 35, ageMax: 40 }, {}, true],
    ['my height below her minimum', { height: 159, heightMin: 100 }, {}, false],
    ['my height above her maximum', { height: 186 }, {}, false],
    ['my height at her maximum', { height: 185 }, {}, true],
    ['her gender is not one I want', { interestMask: MAN }, {}, false],
    ['my gender is not one she wants', {}, { interestMask: WOMAN }, false],
    ['both open to everyone', { interestMask: ALL }, { interestMask: ALL }, true],
    ['she states no gender, I want every stated one', { interestMask: WOMAN | MAN | NONBINARY }, { genderBit: NOT_STATED }, false],
    ['she states no gender, I am open to all', { interestMask: ALL }, { genderBit: NOT_STATED }, true],
    ['I state no gender, she wants every stated one', { genderBit: NOT_STATED }, { interestMask: WOMAN | MAN | NONBINARY }, false],
    ['I state no gender, she is open to all', { genderBit: NOT_STATED }, { interestMask: ALL }, true],
    ['nonbinary both ways', { genderBit: NONBINARY, interestMask: NONBINARY }, { genderBit: NONBINARY, interestMask: NONBINARY }, true],
    ['she wants nobody', {}, { interestMask: 0 }, false],
    ['she is me (same id)', {}, { id: 1 }, false],
  ];

  it.each(cases)('%s', (_name, me, her, eligible) => {
    const u = man(me), v = woman(her);
    const index = new MatchIndex(columnsFrom([v]));
    expect(index.topK(u, 10, noSwipes).map((r) => r.id)).toEqual(eligible ? [v.id] : []);
    expect(index.countEligible(u, noSwipes)).toBe(eligible ? 1 : 0);
    expect(eligibleBruteForce(u, [v], noSwipes).length).toBe(eligible ? 1 : 0); // the oracle agrees
  });

  it.each([
    ['swipeViewFrom', swipeViewFrom(sorted([3, 9]), new Int32Array(0))],
    ['plain predicates', predicates([3, 9], [])],
  ])('leaves out excluded ids (%s)', (_name, view) => {
    const index = new MatchIndex(columnsFrom([woman({ id: 2 }), woman({ id: 3 }), woman({ id: 4 })]));
    expect(index.topK(man(), 10, view).map((r) => r.id)).toEqual([2, 4]);
    expect(index.countEligible(man(), view)).toBe(2);
  });

  it('an excluded liker stays out', () => {
    const index = new MatchIndex(columnsFrom([woman({ id: 2 }), woman({ id: 3 })]));
    const view = swipeViewFrom(sorted([3]), sorted([3]));
    expect(index.topK(man(), 10, view).map((r) => r.id)).toEqual([2]);
  });

  it('finds the asker whether or not they are in the population', () => {
    const index = new MatchIndex(columnsFrom([man(), woman()]));
    expect(index.topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([2]);
    expect(index.topK(woman(), 10, noSwipes).map((r) => r.id)).toEqual([1]);
  });
});

describe('MatchIndex ranking', () => {
  const near = woman({ id: 7, age: 30, height: 170 });
  const far = woman({ id: 8, age: 33, height: 165 });

  it('scores with score.ts and puts the better fit first', () => {
    const index = new MatchIndex(columnsFrom([far, near]));
    expect(index.topK(man(), 10, noSwipes)).toEqual([
      { id: 7, score: score(man(), near, false) },
      { id: 8, score: score(man(), far, false) },
    ]);
  });

  it.each([
    ['swipeViewFrom', swipeViewFrom(new Int32Array(0), sorted([8]))],
    ['plain predicates', predicates([], [8])],
  ])('moves someone who liked me up by the bonus (%s)', (_name, view) => {
    const index = new MatchIndex(columnsFrom([far, near]));
    expect(index.topK(man(), 10, view)).toEqual([
      { id: 8, score: score(man(), far, false) + LIKED_YOU_BONUS },
      { id: 7, score: score(man(), near, false) },
    ]);
  });

  it('breaks ties by the smaller id', () => {
    const index = new MatchIndex(columnsFrom([woman({ id: 40 }), woman({ id: 5 }), woman({ id: 17 })]));
    expect(index.topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([5, 17, 40]);
    expect(index.topK(man(), 2, noSwipes).map((r) => r.id)).toEqual([5, 17]);
  });

  it.each([
    [0, []],
    [1, [7]],
    [2, [7, 8]],
    [50, [7, 8]],
  ])('k = %i gives min(k, eligible)', (k, ids) => {
    const index = new MatchIndex(columnsFrom([far, near, woman({ id: 9, interestMask: WOMAN })]));
    expect(index.topK(man(), k, noSwipes).map((r) => r.id)).toEqual(ids);
  });

  it('handles an empty population', () => {
    const index = new MatchIndex(columnsFrom([]));
    expect(index.topK(man(), 100, noSwipes)).toEqual([]);
    expect(index.countEligible(man(), noSwipes)).toBe(0);
  });

  it('takes any k, even beyond the population', () => {
    const index = new MatchIndex(columnsFrom([far, near]));
    expect(index.topK(man(), Infinity, noSwipes).map((r) => r.id)).toEqual([7, 8]);
    expect(index.topK(man(), 2.7, noSwipes).map((r) => r.id)).toEqual([7, 8]);
    expect(index.topK(man(), -1, noSwipes)).toEqual([]);
  });

  it('topKInto writes the same list into typed arrays, as far as they reach', () => {
    const index = new MatchIndex(columnsFrom([far, near, woman({ id: 3 })]));
    const ids = new Int32Array(2), scores = new Int32Array(2);
    expect(index.topKInto(man(), 10, noSwipes, ids, scores)).toBe(2);
    expect(Array.from(ids)).toEqual(index.topK(man(), 2, noSwipes).map((r) => r.id));
    expect(Array.from(scores)).toEqual(index.topK(man(), 2, noSwipes).map((r) => r.score));
  });

  it('keeps its own copy of the columns', () => {
    const cols = columnsFrom([near]);
    const index = new MatchIndex(cols);
    cols.age[0] = 99;
    cols.id[0] = 1234;
    expect(index.topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([7]);
  });

  it('refuses an asker with several gender bits', () => {
    const index = new MatchIndex(columnsFrom([near]));
    expect(() => index.topK(man({ genderBit: WOMAN | MAN }), 10, noSwipes)).toThrow(RangeError);
  });
});

describe('askerOrder', () => {
  it('is a permutation that puts like askers together', () => {
    const users = [man({ id: 1, ageMin: 40, ageMax: 50 }), woman({ id: 2 }), man({ id: 3 }), woman({ id: 4, interestMask: ALL })];
    const order = Array.from(askerOrder(columnsFrom(users)));
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(order).toEqual([1, 3, 2, 0]); // women wanting men, women open to all, then men by age centre
  });
});

// Property tests against the brute-force oracle, over populations that stress different paths:
// anything in the allowed ranges, edge values, a dense realistic crowd with many ties, narrow ranges.
const age = fc.oneof(fc.integer({ min: 18, max: 120 }), fc.constantFrom(18, 19, 119, 120), fc.integer({ min: 24, max: 34 }));
const height = fc.oneof(fc.integer({ min: 100, max: 250 }), fc.constantFrom(100, 101, 249, 250), fc.integer({ min: 160, max: 185 }));
const range = (value: fc.Arbitrary<number>, lo: number, hi: number) =>
  fc.oneof(
    fc.tuple(value, value).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
    value.map((v) => [v, v] as const),
    fc.constant([lo, hi] as const),
  );
const person = (id: number) =>
  fc.record({
    id: fc.constant(id),
    age,
    height,
    genderBit: fc.constantFrom(NOT_STATED, WOMAN, MAN, MAN, WOMAN, NONBINARY),
    interestMask: fc.oneof(fc.constantFrom(WOMAN, MAN, WOMAN | MAN, ALL), fc.integer({ min: 0, max: 15 })),
    ages: range(age, 18, 120),
    heights: range(height, 100, 250),
  }).map(({ ages, heights, ...p }): Candidate => ({ ...p, ageMin: ages[0], ageMax: ages[1], heightMin: heights[0], heightMax: heights[1] }));
/** A crowd where most pairs are mutual, so ranking, ties and pruning are what is tested. */
const crowd = (id: number) =>
  fc.record({
    id: fc.constant(id),
    age: fc.integer({ min: 28, max: 32 }),
    height: fc.integer({ min: 165, max: 175 }),
    genderBit: fc.constantFrom(WOMAN, MAN),
    interestMask: fc.constantFrom(WOMAN, MAN, WOMAN | MAN, ALL),
    ageMin: fc.integer({ min: 18, max: 28 }),
    ageMax: fc.integer({ min: 32, max: 40 }),
    heightMin: fc.integer({ min: 150, max: 165 }),
    heightMax: fc.integer({ min: 175, max: 200 }),
  });

/** Few distinct values, so that many candidates tie, also with the K-th, and buckets sit at the bar. */
const tied = (id: number) =>
  fc.record({
    id: fc.constant(id),
    age: fc.integer({ min: 29, max: 31 }),
    height: fc.integer({ min: 169, max: 171 }),
    genderBit: fc.constantFrom(WOMAN, MAN),
    interestMask: fc.constantFrom(WOMAN, MAN, WOMAN | MAN),
    ageMin: fc.constantFrom(25, 26, 27),
    ageMax: fc.constantFrom(33, 34, 35),
    heightMin: fc.constantFrom(160, 161, 162),
    heightMax: fc.constantFrom(178, 179, 180),
  });
const kinds = { person, crowd, tied };

const scenario = fc
  .record({
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 300, size: 'max' }),
    kind: fc.constantFrom<keyof typeof kinds>('person', 'crowd', 'tied'),
  })
  .chain(({ ids, kind }) =>
    fc.record({
      population: fc.tuple(...ids.map((id) => kinds[kind](id))),
      outsiders: fc.array(fc.oneof(person(100_001), crowd(100_002)), { maxLength: 2 }),
      askerRows: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      swipes: fc.array(
        fc.record({
          excluded: fc.array(fc.oneof(fc.constantFrom(...ids, -1), fc.nat(100_000)), { maxLength: 40, size: 'max' }),
          liked: fc.array(fc.oneof(fc.constantFrom(...ids, -1), fc.nat(100_000)), { maxLength: 40 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      k: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 400 })),
    }),
  );

describe('MatchIndex against the brute-force oracle', () => {
  it('topK and countEligible agree for random populations, askers, swipes and k', () => {
    fc.assert(
      fc.property(scenario, ({ population, outsiders, askerRows, swipes, k }) => {
        const index = new MatchIndex(columnsFrom(population));
        const askers = [...outsiders, ...(population.length ? askerRows.map((r) => population[r % population.length]!) : [])];
        askers.forEach((u, i) => {
          const { excluded, liked } = swipes[i % swipes.length]!;
          const expected = topKBruteForce(u, k, population, predicates(excluded, liked));
          expect(index.topK(u, k, swipeViewFrom(sorted(excluded), sorted(liked)))).toEqual(expected);
          const ids = new Int32Array(k), scores = new Int32Array(k);
          const n = index.topKInto(u, k, swipeViewFrom(sorted(excluded), sorted(liked)), ids, scores);
          expect(Array.from(ids.subarray(0, n), (id, j) => ({ id, score: scores[j] }))).toEqual(expected);
          expect(index.topK(u, k, predicates(excluded, liked))).toEqual(expected);
          expect(index.countEligible(u, predicates(excluded, liked))).toBe(eligibleBruteForce(u, population, predicates(excluded, liked)).length);
        });
      }),
      // Shrinking a 300-user counterexample can take minutes: report what it has after 20 s.
      { numRuns: 400, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  });
});
