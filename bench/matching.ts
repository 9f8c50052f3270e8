import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MatchIndex, askerOrder, emptyColumns, swipeViewFrom, type Columns, type SwipeView } from '../shared/matching/engine.js';
import { rowAt, setRow } from '../shared/matching/columns.js';
import { topKBruteForce } from '../shared/matching/brute-force.js';
import type { Candidate } from '../shared/matching/types.js';
import { OPEN_TO_ALL } from '../shared/genders.js';

// Benchmark of the batch matching engine on a synthetic, realistic population: index build time,
// topK(100) throughput on a sample of askers, and the speed-up over the brute-force oracle measured
// in the same run (absolute numbers drift between machines; the ratio is what to compare).

const K = 100;
const SAMPLE = 2_000;
const ORACLE_SAMPLE = 200;
const ROUNDS = 5;
const WOMAN = 2, MAN = 4, NONBINARY = 8, NOT_STATED = 1;

/** mulberry32: small, fast, seeded; good enough for synthetic data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(x)));

/** Ages 18-70 skewed young, heights by gender, ~90% heterosexual, ranges ~9 years and ~35 cm wide. */
export function syntheticPopulation(users: number, seed = 42): Columns {
  const rand = prng(seed);
  const normal = (mean: number, sd: number): number =>
    mean + sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const cols = emptyColumns(users);
  for (let i = 0; i < users; i++) {
    const g = rand();
    const genderBit = g < 0.49 ? WOMAN : g < 0.97 ? MAN : g < 0.99 ? NONBINARY : NOT_STATED;
    const o = rand();
    const other = genderBit === WOMAN ? MAN : WOMAN;
    let interestMask: number;
    if (genderBit === NOT_STATED) interestMask = OPEN_TO_ALL;
    else if (genderBit === NONBINARY) interestMask = o < 0.4 ? OPEN_TO_ALL : o < 0.7 ? WOMAN | MAN | NONBINARY : o < 0.85 ? WOMAN : MAN;
    else interestMask = o < 0.9 ? other : o < 0.95 ? genderBit : o < 0.99 ? WOMAN | MAN : OPEN_TO_ALL;
    const age = 18 + Math.floor(53 * rand() ** 1.8);
    const height = clamp(genderBit === WOMAN ? normal(165, 7) : genderBit === MAN ? normal(178, 7) : normal(171, 9), 100, 250);
    // Men lean younger and shorter partners, women older and taller; a range ~9 years, ~35 cm wide.
    const ageCentre = age + normal(interestMask === WOMAN ? -2 : interestMask === MAN ? 2 : 0, 2);
    const ageWidth = 6 + rand() * 6;
    const heightCentre = interestMask === MAN ? normal(182, 4) : interestMask === WOMAN ? normal(166, 4) : normal(172, 5);
    const heightWidth = 25 + rand() * 20;
    const ageMin = clamp(ageCentre - ageWidth / 2, 18, 120);
    const heightMin = clamp(heightCentre - heightWidth / 2, 100, 250);
    setRow(cols, i, {
      id: i + 1, age, height, genderBit, interestMask,
      ageMin, ageMax: clamp(ageCentre + ageWidth / 2, ageMin, 120),
      heightMin, heightMax: clamp(heightCentre + heightWidth / 2, heightMin, 250),
    });
  }
  cols.length = users;
  return cols;
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
  const rand = prng(7);

  let t0 = performance.now();
  const index = new MatchIndex(cols);
  const buildMs = performance.now() - t0;

  const sample = Math.min(SAMPLE, n);
  const rows = Array.from({ length: sample }, () => Math.floor(rand() * n));
  const askers = rows.map((r) => rowAt(cols, r));
  const views = askers.map(() => syntheticSwipes(rand, n));
  const randomUs = timePerAsker(index, askers, views);
  // The same askers in askerOrder(), as a worker would take them.
  const position = new Int32Array(n);
  askerOrder(cols).forEach((row, i) => (position[row] = i));
  const ordered = Array.from(askers.keys()).sort((a, b) => position[rows[a]!]! - position[rows[b]!]!);
  const orderedUs = timePerAsker(index, ordered.map((i) => askers[i]!), ordered.map((i) => views[i]!));

  let visited = 0, listed = 0, eligible = 0;
  for (let i = 0; i < sample; i++) {
    listed += index.topK(askers[i]!, K, views[i]!).length;
    visited += index.visited;
    eligible += index.countEligible(askers[i]!, views[i]!);
  }

  const population = Array.from({ length: n }, (_, r) => rowAt(cols, r));
  const oracleSample = Math.min(ORACLE_SAMPLE, sample);
  t0 = performance.now();
  const expected = askers.slice(0, oracleSample).map((u, i) => topKBruteForce(u, K, population, views[i]!));
  const oracleUs = ((performance.now() - t0) * 1000) / oracleSample;
  const mismatches = expected.filter((want, i) => JSON.stringify(want) !== JSON.stringify(index.topK(askers[i]!, K, views[i]!))).length;

  const allUsers = (us: number) => `${((n * us) / 1e6).toFixed(2)} s`;
  return [
    { name: 'matching: population', value: `${n.toLocaleString('en-US')} users`, note: 'synthetic, seeded' },
    { name: 'matching: index build', value: `${buildMs.toFixed(0)} ms` },
    { name: `matching: topK(${K}) per asker`, value: `${randomUs.toFixed(1)} µs`, note: `${sample} random askers, best of ${ROUNDS} rounds` },
    { name: `matching: topK(${K}) per asker, in askerOrder`, value: `${orderedUs.toFixed(1)} µs`, note: 'the same askers, cache-friendly order' },
    { name: `matching: topK(${K}) throughput`, value: `${Math.round(1e6 / orderedUs).toLocaleString('en-US')} users/s`, note: 'one core, in askerOrder' },
    { name: 'matching: all users, one core', value: allUsers(orderedUs), note: `projected; random order ${allUsers(randomUs)}` },
    { name: 'matching: candidates scored per asker', value: (visited / sample).toFixed(0), note: `of ${(eligible / sample).toFixed(0)} eligible on average; ${(listed / sample).toFixed(1)} listed` },
    { name: 'matching: brute-force oracle per asker', value: `${(oracleUs / 1000).toFixed(2)} ms`, note: `${oracleSample} askers` },
    { name: 'matching: speed-up over brute force', value: `${(oracleUs / randomUs).toFixed(0)}x`, note: mismatches === 0 ? 'identical lists' : `${mismatches} lists DIFFER` },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const users = Number(process.argv[2] ?? 100_000);
  console.table(await benchMatching({ users }));
}
