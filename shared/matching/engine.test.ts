import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MatchIndex, askerOrder, columnsFrom, swipeViewFrom, type SwipeView } from './engine.js';
import { eligibleBruteForce, topKBruteForce } from './brute-force.js';
import { FAIR, PREFERENCE_ONLY, RECIPROCAL, type Weights, score } from './score.js';
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
/** The same swipes without the list of exclusions (and likers unsorted), so the engine takes its general path. */
const predicates = (excluded: number[], liked: number[]): SwipeView => ({
  excluded: (id) => excluded.includes(id),
  likedYou: (id) => liked.includes(id),
  likedYouIds: liked,
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
      { id: 7, score: score(man(), near, false, FAIR) },
      { id: 8, score: score(man(), far, false, FAIR) },
    ]);
  });

  it('ranks by the learned signals and shared interests too, not fit alone', () => {
    // Same fit; 8 is liked by most who saw her and likes back often, 7 the reverse.
    const liked = woman({ id: 8, likesReceived: 40, passesReceived: 10, likesGiven: 30, passesGiven: 20 });
    const shunned = woman({ id: 7, likesReceived: 5, passesReceived: 45, likesGiven: 2, passesGiven: 48 });
    const index = new MatchIndex(columnsFrom([shunned, liked]), RECIPROCAL);
    expect(index.topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([8, 7]);
    const preference = new MatchIndex(columnsFrom([shunned, liked]), PREFERENCE_ONLY);
    expect(preference.topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([7, 8]); // a tie: smaller id
    const sharing = new MatchIndex(columnsFrom([woman({ id: 7, interests: ['chess', 'jazz'] }), woman({ id: 8, interests: ['golf'] })]), RECIPROCAL);
    expect(sharing.topK(man({ interests: ['golf'] }), 10, noSwipes).map((r) => r.id)).toEqual([8, 7]);
  });

  it('lifts those nobody has swiped on lately, by idleLift after idleDays (less before)', () => {
    const w: Weights = { ...RECIPROCAL, idleLift: 300, idleDays: 7 };
    const seen = woman({ id: 7, idleDays: 0 }), waiting = woman({ id: 8, idleDays: 3 }), forgotten = woman({ id: 9, idleDays: 20 });
    const got = new MatchIndex(columnsFrom([seen, waiting, forgotten]), w).topK(man(), 10, noSwipes);
    expect(got.map((r) => r.id)).toEqual([9, 8, 7]);
    expect(got[0]!.score - got[2]!.score).toBe(300);
    expect(got[1]!.score - got[2]!.score).toBe(Math.round((300 * 3) / 7));
    expect(new MatchIndex(columnsFrom([seen, forgotten]), RECIPROCAL).topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([7, 9]);
  });

  it('leans against reach: reachLog points per log unit from reachRef, none while unknown', () => {
    const w: Weights = { ...RECIPROCAL, reachLog: 300, reachRef: 100_000 };
    const rare = woman({ id: 7, reach: 10_000 }), typical = woman({ id: 8, reach: 100_000 }), unknown = woman({ id: 9 }), everywhere = woman({ id: 10, reach: 1_000_000 });
    const got = new MatchIndex(columnsFrom([everywhere, unknown, typical, rare]), w).topK(man(), 10, noSwipes);
    expect(got.map((r) => r.id)).toEqual([7, 8, 9, 10]);
    expect(got[0]!.score - got[1]!.score).toBe(Math.round(300 * Math.log(10)));
    expect(got[1]!.score).toBe(got[2]!.score);
    expect(got[1]!.score - got[3]!.score).toBe(Math.round(300 * Math.log(10)));
    // Off in reciprocal: a tie, broken by the smaller id, whatever the reach.
    const wide = woman({ id: 7, reach: 1_000_000 }), narrow = woman({ id: 8, reach: 10_000 });
    expect(new MatchIndex(columnsFrom([narrow, wide]), RECIPROCAL).topK(man(), 10, noSwipes).map((r) => r.id)).toEqual([7, 8]);
  });

  it('gives the liked-you bonus to the best likerCap likers only', () => {
    const w: Weights = { ...RECIPROCAL, likerCap: 2 };
    const likers = [3, 4, 5].map((id) => woman({ id, age: 27 + id }));
    const index = new MatchIndex(columnsFrom([near, ...likers]), w);
    const got = index.topK(man(), 10, swipeViewFrom(new Int32Array(0), sorted([3, 4, 5])));
    // 3 (age 30, the centre) and 4 (31) fit best of the likers, so they get the bonus; 5 ranks on fit, after 7.
    expect(got.map((r) => r.id)).toEqual([3, 4, 7, 5]);
    expect(got[0]!.score).toBe(score(man(), likers[0]!, true, w));
    expect(got[3]!.score).toBe(score(man(), likers[2]!, false, w));
  });

  it.each([
    ['swipeViewFrom', swipeViewFrom(new Int32Array(0), sorted([8]))],
    ['plain predicates', predicates([], [8])],
  ])('moves someone who liked me up by the bonus (%s)', (_name, view) => {
    const index = new MatchIndex(columnsFrom([far, near]));
    expect(index.topK(man(), 10, view)).toEqual([
      { id: 8, score: score(man(), far, false, FAIR) + FAIR.likedYouBonus },
      { id: 7, score: score(man(), near, false, FAIR) },
    ]);
  });

  it('judges extras on their own rows, liked-you cap included', () => {
    const index = new MatchIndex(columnsFrom([far, near]), { ...FAIR, likerCap: 1 });
    const moved = woman({ id: 7, age: 35, height: 160 }); // 7 changed since the index was built, and fits worse than 8 now
    const view = swipeViewFrom(sorted([7]), sorted([7, 8]));
    const got = index.topK(man(), 10, view, [moved, woman({ id: 9, interestMask: WOMAN })]);
    expect(got.map((r) => r.id)).toEqual([8, 7]); // 8 fits better, so 8 has the one bonus; 9 is not mutual
    expect(got[1]!.score).toBe(score(man(), moved, false, { ...FAIR, likerCap: 1 }));
  });

  it('returns extras even when the index holds fewer rows than k', () => {
    const index = new MatchIndex(columnsFrom([]));
    const view = swipeViewFrom(new Int32Array(0), new Int32Array(0));
    expect(index.topK(man(), 10, view, [far, near]).map((r) => r.id)).toEqual([7, 8]);
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
const TAGS = ['chess', 'jazz', 'golf', 'films', 'hiking', 'cooking'];
/** Swipe counters, days and interests, so boosts differ between rows and buckets. */
const signals = fc.record({
  likesGiven: fc.nat(60), passesGiven: fc.nat(60), likesReceived: fc.oneof(fc.nat(10), fc.nat(400)), passesReceived: fc.nat(100),
  days: fc.nat(30), idleDays: fc.nat(30), interests: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 4 }),
}, { requiredKeys: [] });
const withSignals = (make: (id: number) => fc.Arbitrary<Candidate>) => (id: number) =>
  fc.tuple(make(id), signals).map(([c, s]) => ({ ...c, ...s }));
const kinds = { person: withSignals(person), crowd: withSignals(crowd), tied, plain: person };
const weights = fc.oneof(
  fc.constantFrom<Weights>(PREFERENCE_ONLY, RECIPROCAL, FAIR),
  fc.record({
    likerCap: fc.nat(6), likedYouBonus: fc.nat(2000), appeal: fc.integer({ min: -200, max: 400 }), warmth: fc.nat(400),
    interest: fc.nat(200), interestCap: fc.nat(5), congestion: fc.nat(300), exposureLift: fc.nat(300), newcomerLift: fc.nat(300),
    showCap: fc.nat(300), showCapRatio: fc.constantFrom(0.5, 1, 2), idleLift: fc.nat(600), idleDays: fc.integer({ min: 1, max: 14 }),
  }).map((o): Weights => ({ ...FAIR, ...o })),
);

const scenario = fc
  .record({
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 300, size: 'max' }),
    kind: fc.constantFrom<keyof typeof kinds>('person', 'crowd', 'tied', 'plain'),
  })
  .chain(({ ids, kind }) =>
    fc.record({
      population: fc.tuple(...ids.map((id) => kinds[kind](id))),
      outsiders: fc.array(fc.oneof(withSignals(person)(100_001), crowd(100_002)), { maxLength: 2 }),
      askerRows: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      swipes: fc.array(
        fc.record({
          excluded: fc.array(fc.oneof(fc.constantFrom(...ids, -1), fc.nat(100_000)), { maxLength: 40, size: 'max' }),
          liked: fc.array(fc.oneof(fc.constantFrom(...ids, -1), fc.nat(100_000)), { maxLength: 40 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      k: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 400 })),
      w: weights,
    }),
  );

describe('MatchIndex against the brute-force oracle', () => {
  it('topK and countEligible agree for random populations, askers, swipes and k', () => {
    fc.assert(
      fc.property(scenario, ({ population, outsiders, askerRows, swipes, k, w }) => {
        const index = new MatchIndex(columnsFrom(population), w);
        // The live path's shape: some users judged on rows passed in, left out of the index's own.
        const extras = population.slice(0, population.length >> 2);
        const partial = new MatchIndex(columnsFrom(population.slice(population.length >> 2)), w);
        const askers = [...outsiders, ...(population.length ? askerRows.map((r) => population[r % population.length]!) : [])];
        askers.forEach((u, i) => {
          const { excluded, liked } = swipes[i % swipes.length]!;
          const expected = topKBruteForce(u, k, population, predicates(excluded, liked), w);
          expect(index.topK(u, k, swipeViewFrom(sorted(excluded), sorted(liked)))).toEqual(expected);
          const ids = new Int32Array(k), scores = new Int32Array(k);
          const n = index.topKInto(u, k, swipeViewFrom(sorted(excluded), sorted(liked)), ids, scores);
          expect(Array.from(ids.subarray(0, n), (id, j) => ({ id, score: scores[j] }))).toEqual(expected);
          expect(index.topK(u, k, predicates(excluded, liked))).toEqual(expected);
          const passedIn = extras.filter((v) => !excluded.includes(v.id));
          const left = swipeViewFrom(sorted([...excluded, ...extras.map((v) => v.id)]), sorted(liked));
          expect(partial.topK(u, k, left, passedIn)).toEqual(expected);
          expect(index.countEligible(u, predicates(excluded, liked))).toBe(eligibleBruteForce(u, population, predicates(excluded, liked)).length);
        });
      }),
      // Shrinking a 300-user counterexample can take minutes: report what it has after 20 s.
      { numRuns: 400, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  });
});
