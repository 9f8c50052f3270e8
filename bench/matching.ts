import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MatchIndex, askerOrder, emptyColumns, swipeViewFrom, type Columns, type SwipeView } from '../shared/matching/engine.js';
import { rowAt, setRow } from '../shared/matching/columns.js';
import { topKBruteForce } from '../shared/matching/brute-force.js';
import { FAIR } from '../shared/matching/score.js';
import type { Candidate } from '../shared/matching/types.js';
import { genderBit, interestMask } from '../shared/genders.js';
import { Traits, mulberry32, syntheticProfiles, syntheticSwipes as seedSwipes } from '../scripts/lib/synthetic.js';

// Benchmark of the batch matching engine on a synthetic, realistic population: index build time,
// topK(100) throughput on a sample of askers, and the speed-up over the brute-force oracle measured
// in the same run (absolute numbers drift between machines; the ratio is what to compare).

const K = 100;
const SAMPLE = 5_000;
const ORACLE_SAMPLE = 200;
const ROUNDS = 5;

/**
 * The population `npm run seed` loads (scripts/lib/synthetic.ts), as engine columns; ids 1..users.
 * 'month': with swipe counters, days and interests as a month-old service would have them, so boosts
 * and interest points spread. 'seeded': exactly what a rebuild reads after `npm run seed`: the
 * counters of the seed's own swipes, everyone on day 0, no interests.
 */
export function syntheticPopulation(users: number, seed = 42, kind: 'month' | 'seeded' = 'month'): Columns {
  const cols = emptyColumns(users);
  const sig = mulberry32(seed + 1);
  const traits = new Traits(users);
  let i = 0;
  for (const p of syntheticProfiles(seed, users)) {
    setRow(cols, i, {
      id: i + 1, age: p.age, height: p.height, genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in),
      ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max,
      ...(kind === 'month' ? signals(sig) : {}),
    });
    if (kind === 'seeded') traits.set(i, p);
    i++;
  }
  cols.length = users;
  if (kind === 'seeded') {
    const h = seedSwipes(traits, seed);
    for (let j = 0; j < h.swiper.length; j++) {
      (h.like[j] ? cols.likesGiven : cols.passesGiven)[h.swiper[j]!]!++;
      (h.like[j] ? cols.likesReceived : cols.passesReceived)[h.swipee[j]!]!++;
    }
  }
  return cols;
}

const TAGS = Array.from({ length: 60 }, (_, i) => `tag${i}`);
/** Swipe counters, days and interests as a month-old service would have them, so boosts spread. */
function signals(r: () => number) {
  const seen = Math.floor(r() * r() * 300), given = Math.floor(r() * 200), appeal = r(), warmth = r();
  const tags = new Set(Array.from({ length: Math.floor(r() * 6) }, () => TAGS[Math.floor(r() * r() * TAGS.length)]!));
  return {
    likesReceived: Math.round(seen * appeal), passesReceived: Math.round(seen * (1 - appeal)),
    likesGiven: Math.round(given * warmth), passesGiven: Math.round(given * (1 - warmth)),
    days: Math.floor(r() * 60), interests: [...tags],
  };
}

/** A few swipes per asker: ids they liked or passed, and ids who liked them, as the worker loads them. */
function syntheticSwipes(rand: () => number, users: number): SwipeView {
  const ids = (n: number) => Int32Array.from({ length: n }, () => 1 + Math.floor(rand() * users)).sort();
  return swipeViewFrom(ids(Math.floor(rand() * 8)), ids(Math.floor(rand() * 4)));
}

/** Best of a few timed rounds over the same askers, in µs per asker; the first round warms the JIT. */
function timePerAsker(index: MatchIndex, askers: readonly Candidate[], views: readonly SwipeView[]): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS + 1; round++) {
    const t0 = performance.now();
    for (let i = 0; i < askers.length; i++) index.topK(askers[i]!, K, views[i]!);
    if (round > 0) best = Math.min(best, ((performance.now() - t0) * 1000) / askers.length);
  }
  return best;
}

export async function benchMatching(opts: { users: number }): Promise<{ name: string; value: string; note?: string }[]> {
  const n = opts.users;
  const cols = syntheticPopulation(n);
  const rand = mulberry32(7);

  let t0 = performance.now();
  const index = new MatchIndex(cols, FAIR);
  const buildMs = performance.now() - t0;

  const sample = Math.min(SAMPLE, n);
  const askers = Array.from({ length: sample }, () => rowAt(cols, Math.floor(rand() * n)));
  const views = askers.map(() => syntheticSwipes(rand, n));
  const randomUs = timePerAsker(index, askers, views);
  // As a worker would take them: runs of consecutive askers in askerOrder(), from ten places in it.
  const order = askerOrder(cols);
  const run = Math.floor(sample / 10);
  const inOrder = Array.from({ length: 10 }, (_, s) => Math.floor(((s + 0.5) * n) / 10) - (run >> 1))
    .flatMap((from) => Array.from(order.subarray(Math.max(0, from), Math.max(0, from) + run)))
    .map((r) => rowAt(cols, r));
  const orderedUs = timePerAsker(index, inOrder, inOrder.map(() => syntheticSwipes(rand, n)));

  let visited = 0, listed = 0, eligible = 0;
  for (let i = 0; i < sample; i++) {
    listed += index.topK(askers[i]!, K, views[i]!).length;
    visited += index.visited;
  }
  const countSample = Math.min(ORACLE_SAMPLE, sample);
  for (let i = 0; i < countSample; i++) eligible += index.countEligible(askers[i]!, views[i]!);

  const population = Array.from({ length: n }, (_, r) => rowAt(cols, r));
  const oracleSample = Math.min(ORACLE_SAMPLE, sample);
  t0 = performance.now();
  const expected = askers.slice(0, oracleSample).map((u, i) => topKBruteForce(u, K, population, views[i]!, FAIR));
  const oracleUs = ((performance.now() - t0) * 1000) / oracleSample;
  const mismatches = expected.filter((want, i) => JSON.stringify(want) !== JSON.stringify(index.topK(askers[i]!, K, views[i]!))).length;

  const allUsers = (us: number) => `${((n * us) / 1e6).toFixed(2)} s`;
  const seeded = benchSeeded(n, sample);
  return [
    { name: 'matching: population', value: `${n.toLocaleString('en-US')} users`, note: 'synthetic, seeded' },
    { name: 'matching: index build', value: `${buildMs.toFixed(0)} ms` },
    { name: `matching: topK(${K}) per asker`, value: `${randomUs.toFixed(1)} µs`, note: `${sample} random askers, best of ${ROUNDS} rounds` },
    { name: `matching: topK(${K}) per asker, in askerOrder`, value: `${orderedUs.toFixed(1)} µs`, note: `${inOrder.length} askers: 10 runs of consecutive ones` },
    { name: `matching: topK(${K}) throughput`, value: `${Math.round(1e6 / orderedUs).toLocaleString('en-US')} users/s`, note: 'one core, in askerOrder' },
    { name: 'matching: all users, one core', value: allUsers(orderedUs), note: `projected; random order ${allUsers(randomUs)}` },
    { name: 'matching: candidates scored per asker', value: (visited / sample).toFixed(0), note: `of ${(eligible / countSample).toFixed(0)} eligible on average; ${(listed / sample).toFixed(1)} listed` },
    { name: 'matching: brute-force oracle per asker', value: `${(oracleUs / 1000).toFixed(2)} ms`, note: `${oracleSample} askers` },
    { name: 'matching: speed-up over brute force', value: `${(oracleUs / randomUs).toFixed(0)}x`, note: mismatches === 0 ? 'identical lists' : `${mismatches} lists DIFFER` },
    { name: `matching: topK(${K}) per asker, seeded population`, value: `${seeded.us.toFixed(1)} µs`, note: `as a rebuild after npm run seed reads it (day 0, no interests); in askerOrder; ${seeded.visited.toFixed(0)} candidates scored` },
  ];
}

/** The population exactly as `npm run seed` leaves it, which is what the rebuild ranks: µs and rows scored per asker. */
function benchSeeded(n: number, sample: number): { us: number; visited: number } {
  const cols = syntheticPopulation(n, 42, 'seeded');
  const index = new MatchIndex(cols, FAIR);
  const rand = mulberry32(11);
  const order = askerOrder(cols);
  const run = Math.floor(sample / 10);
  const askers = Array.from({ length: 10 }, (_, s) => Math.floor(((s + 0.5) * n) / 10) - (run >> 1))
    .flatMap((from) => Array.from(order.subarray(Math.max(0, from), Math.max(0, from) + run)))
    .map((r) => rowAt(cols, r));
  const views = askers.map(() => syntheticSwipes(rand, n));
  const us = timePerAsker(index, askers, views);
  let visited = 0;
  for (let i = 0; i < askers.length; i++) {
    index.topK(askers[i]!, K, views[i]!);
    visited += index.visited;
  }
  return { us, visited: visited / askers.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const users = Number(process.argv[2] ?? 100_000);
  console.table(await benchMatching({ users }));
}
