// Property tests aimed at the engine's pruning bounds (buckets.ts): populations where boosts and
// interest points are large against the distances, so that a bound a little too tight (a skipped
// bucket, a run or row cut too early, a tag signature that under-counts) drops a row that belongs
// in the top K. Each is checked against the brute-force oracle.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MatchIndex, columnsFrom, swipeViewFrom } from './engine.js';
import { SMALL_BUCKET } from './buckets.js';
import { topKBruteForce } from './brute-force.js';
import { FAIR, type Weights, boost } from './score.js';
import type { Candidate } from './types.js';

const WOMAN = 2, MAN = 4;
/** More tags than the signature's 32 bits, so that tags share bits (ids 0 and 32, 1 and 33, ...). */
const TAGS = Array.from({ length: 40 }, (_, i) => `t${i}`);

/** Swipe counters from nothing to far beyond the prior, so boosts reach both ends of their range. */
const counters = fc.record({
  likesGiven: fc.oneof(fc.constant(0), fc.nat(20), fc.integer({ min: 5_000, max: 50_000 })),
  passesGiven: fc.oneof(fc.constant(0), fc.nat(20), fc.integer({ min: 5_000, max: 50_000 })),
  likesReceived: fc.oneof(fc.constant(0), fc.nat(20), fc.integer({ min: 5_000, max: 50_000 })),
  passesReceived: fc.oneof(fc.constant(0), fc.nat(20), fc.integer({ min: 5_000, max: 50_000 })),
  days: fc.oneof(fc.constant(0), fc.nat(60)),
  idleDays: fc.oneof(fc.constant(0), fc.nat(60)),
  reach: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
});
/** A handful of tags, often the same few (so many share), sometimes ones that collide on a bit. */
const tags = fc.uniqueArray(fc.oneof(fc.constantFrom('t0', 't1', 't2', 't32', 't33'), fc.constantFrom(...TAGS)), { maxLength: 6 });

/**
 * Everyone in a few ages and heights, so buckets hold from one row to dozens (both sides of
 * SMALL_BUCKET), or spread out, where a big boost far away must still beat a near row. `same`:
 * everyone has the same counters (one boost tier, so the buckets stay large).
 */
const member = (spread: boolean, same: Candidate | null) => (id: number) =>
  fc.record({
    id: fc.constant(id),
    age: spread ? fc.integer({ min: 18, max: 80 }) : fc.integer({ min: 29, max: 31 }),
    height: spread ? fc.integer({ min: 140, max: 210 }) : fc.integer({ min: 169, max: 171 }),
    genderBit: fc.constantFrom(WOMAN, MAN),
    interestMask: fc.constantFrom(WOMAN, MAN, WOMAN | MAN),
    ageMin: fc.constantFrom(18, 25, 29),
    ageMax: fc.constantFrom(31, 40, 90),
    heightMin: fc.constantFrom(120, 160, 169),
    heightMax: fc.constantFrom(171, 185, 230),
    counters: same ? fc.constant(same) : counters,
    interests: fc.option(tags, { nil: undefined }),
  }).map(({ counters: c, ...p }): Candidate => ({ ...p, ...c }));

/** Weights that make boosts and interest points large (up to the engine's limits) next to distance. */
const weights = fc.record({
  appeal: fc.integer({ min: -400, max: 400 }), warmth: fc.integer({ min: 0, max: 400 }),
  interest: fc.integer({ min: 0, max: 200 }), interestCap: fc.integer({ min: 0, max: 5 }),
  congestion: fc.nat(400), showCap: fc.nat(400), newcomerLift: fc.nat(400), exposureLift: fc.nat(400), idleLift: fc.nat(1000),
  likerCap: fc.nat(4), likedYouBonus: fc.nat(2000),
}).filter((o) => o.interest * o.interestCap <= 1000).map((o): Weights => ({ ...FAIR, ...o }));

const scenario = fc
  .record({ size: fc.integer({ min: 1, max: 400 }), spread: fc.boolean(), same: fc.option(counters, { nil: null }) })
  .chain(({ size, spread, same }) =>
    fc.record({
      population: fc.tuple(...Array.from({ length: size }, (_, i) => member(spread, same as Candidate | null)(i + 1))),
      askers: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      liked: fc.array(fc.integer({ min: 1, max: size }), { maxLength: 10 }),
      excluded: fc.array(fc.integer({ min: 1, max: size }), { maxLength: 10 }),
      k: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 120 })),
      w: weights,
    }),
  );

const sorted = (ids: number[]) => Int32Array.from(new Set(ids)).sort();

describe('MatchIndex bounds under extreme boosts and interests', () => {
  it('the generators reach what the bounds are about', () => {
    // Boosts near both ends of their range, and buckets on both sides of SMALL_BUCKET: else the test proves little.
    const [some] = fc.sample(scenario.filter((s) => s.population.length > 300), { numRuns: 1, seed: 1 });
    const dense = some!.population.map((v) => ({ ...v, age: 30, height: 170, likesGiven: 0, passesGiven: 0, likesReceived: 0, passesReceived: 0, days: 0 }));
    const { bucketStart } = new MatchIndex(columnsFrom(dense), FAIR).parts().buckets;
    const sizes = Array.from(bucketStart.subarray(1), (e, b) => e - bucketStart[b]!);
    expect(Math.max(...sizes)).toBeGreaterThan(SMALL_BUCKET);
    const strong = { ...FAIR, appeal: 400, warmth: 400, congestion: 400 };
    const at = (c: Partial<Candidate>) => boost({ ...dense[0]!, ...c }, strong);
    expect(at({ likesReceived: 50_000, likesGiven: 50_000 })).toBeGreaterThan(1000);
    expect(at({ passesReceived: 50_000, passesGiven: 50_000 })).toBeLessThan(-1000);
  });

  it('topK matches the oracle', () => {
    fc.assert(
      fc.property(scenario, ({ population, askers, liked, excluded, k, w }) => {
        const index = new MatchIndex(columnsFrom(population), w);
        const view = swipeViewFrom(sorted(excluded), sorted(liked));
        for (const r of askers) {
          const u = population[r % population.length]!;
          const want = topKBruteForce(u, k, population, view, w);
          expect(index.topK(u, k, view)).toEqual(want);
        }
      }),
      { numRuns: 300, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  });
});
