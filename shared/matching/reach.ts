import type { Columns } from './columns.js';
import type { Candidate } from './types.js';

// Reach: the share of the population a user is mutually eligible with (both want each other, by
// age, height and gender, before any swipe). It predicts how often someone will be shown whatever
// the ranking does: a user few people can see gets few impressions however well they rank, and one
// many can see gets many. The fair ranking (score.ts) leans against it, which evens exposure from
// a user's first day instead of only after impressions have piled up (docs/ALGORITHM.md).
//
// Counting everyone against everyone is quadratic, so past EXACT_UP_TO users it is counted against
// a fixed sample of about REACH_SAMPLE: the users whose id hashes into the first of m slots. The
// sample depends only on ids, so it barely moves from one count to the next. Parts per million of
// the others in the sample, at least 1 once counted; 0 means not counted.

export const EXACT_UP_TO = 4096;
export const REACH_SAMPLE = 2048;
export const PPM = 1_000_000;

/**
 * Whether a count should replace the stored reach: none stored yet, or it moved by more than 10%
 * (30 points of score at the default weight). The estimate shifts a little whenever the population
 * does; without a threshold every rebuild would rewrite every user's row.
 */
export const REACH_TOLERANCE = 0.1;
export const reachMoved = (stored: number, counted: number) => counted > 0 && (stored <= 0 || Math.abs(Math.log(counted / stored)) > REACH_TOLERANCE);

const HASH_RANGE = 2 ** 32;

/**
 * Whether the user with this id is in the sample, one in `m`: those whose id hashes into the lowest
 * 1/m of the hash's range. A larger m keeps a subset of a smaller one's sample, so the sample moves
 * only by the few it drops as the population grows. (A test of hash % m drew an unrelated sample
 * whenever m changed, every 2,048 sign-ups at 1M users, and every user's reach was drawn again with
 * it: a third of them moved past REACH_TOLERANCE and were rewritten by the next rebuild. Its
 * sample also clustered in id ranges: at m = 490, just over 1M users, none in the lowest tenth of the ids.)
 */
export const inReachSample = (id: number, m: number) => m <= 1 || (Math.imul(id, 0x9e3779b1) >>> 0) < HASH_RANGE / m;

/** Sample slots for a population of n (1: everyone counts). */
export const reachModulus = (n: number, sample = REACH_SAMPLE, exactUpTo = EXACT_UP_TO) => (n <= exactUpTo ? 1 : Math.ceil(n / sample));

interface Group {
  genderBit: number;
  wants: number;
  /** The group's members, sorted by age. */
  id: Int32Array;
  age: Uint8Array;
  height: Uint8Array;
  ageMin: Uint8Array;
  ageMax: Uint8Array;
  heightMin: Uint8Array;
  heightMax: Uint8Array;
}

/** The sample, grouped by gender and wanted genders: a user is checked only against groups that want them and that they want. */
export interface ReachSample {
  size: number;
  ids: Set<number>;
  groups: Group[];
}

/** The sample of `pop`'s rows (those with `counts[row]` set, when given: who may be shown). */
export function reachSample(pop: Columns, counts?: Uint8Array, sample = REACH_SAMPLE, exactUpTo = EXACT_UP_TO): ReachSample {
  let n = 0;
  for (let r = 0; r < pop.length; r++) if (!counts || counts[r]) n++;
  const m = reachModulus(n, sample, exactUpTo);
  const byKey = new Map<number, number[]>();
  const ids = new Set<number>();
  for (let r = 0; r < pop.length; r++) {
    if ((counts && !counts[r]) || !inReachSample(pop.id[r]!, m)) continue;
    ids.add(pop.id[r]!);
    const key = (pop.genderBit[r]! << 8) | pop.interestMask[r]!;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = []));
    g.push(r);
  }
  const groups = [...byKey.entries()].map(([key, rs]): Group => {
    rs.sort((a, b) => pop.age[a]! - pop.age[b]!);
    const pick = <T extends Uint8Array | Int32Array>(col: T, make: (n: number) => T) => {
      const out = make(rs.length);
      rs.forEach((r, i) => (out[i] = col[r]!));
      return out;
    };
    const u8 = (n: number) => new Uint8Array(n);
    return {
      genderBit: key >> 8, wants: key & 255, id: pick(pop.id, (n) => new Int32Array(n)),
      age: pick(pop.age, u8), height: pick(pop.height, u8), ageMin: pick(pop.ageMin, u8), ageMax: pick(pop.ageMax, u8),
      heightMin: pick(pop.heightMin, u8), heightMax: pick(pop.heightMax, u8),
    };
  });
  return { size: ids.size, ids, groups };
}

export type Who = Pick<Candidate, 'id' | 'age' | 'height' | 'genderBit' | 'interestMask' | 'ageMin' | 'ageMax' | 'heightMin' | 'heightMax'>;

/** Reach of someone as a profile write stores it; undefined when it cannot be counted now. */
export type ReachOf = (who: Who) => number | undefined;

/** v's reach in parts per million of the sample's others (0: nobody else to count). */
export function reachIn(s: ReachSample, v: Who): number {
  let hits = 0;
  for (const g of s.groups) {
    if ((g.wants & v.genderBit) === 0 || (v.interestMask & g.genderBit) === 0) continue;
    for (let i = lowerBound(g.age, v.ageMin); i < g.age.length && g.age[i]! <= v.ageMax; i++) {
      const h = g.height[i]!;
      if (h >= v.heightMin && h <= v.heightMax && v.age >= g.ageMin[i]! && v.age <= g.ageMax[i]! &&
        v.height >= g.heightMin[i]! && v.height <= g.heightMax[i]! && g.id[i] !== v.id) hits++;
    }
  }
  const others = s.size - (s.ids.has(v.id) ? 1 : 0);
  return others > 0 ? Math.max(1, Math.round((PPM * hits) / others)) : 0;
}

/** Reach of `of`'s rows `rows` (default: all) against the sample `s`. */
export function reachOf(s: ReachSample, of: Columns, rows?: ArrayLike<number>): Int32Array {
  const count = rows ? rows.length : of.length;
  const out = new Int32Array(count);
  // One object refilled per row rather than rowAt's new Candidate: a rebuild counts a million rows.
  const v: Who = { id: 0, age: 0, height: 0, genderBit: 0, interestMask: 0, ageMin: 0, ageMax: 0, heightMin: 0, heightMax: 0 };
  for (let k = 0; k < count; k++) {
    const r = rows ? rows[k]! : k;
    v.id = of.id[r]!; v.age = of.age[r]!; v.height = of.height[r]!; v.genderBit = of.genderBit[r]!; v.interestMask = of.interestMask[r]!;
    v.ageMin = of.ageMin[r]!; v.ageMax = of.ageMax[r]!; v.heightMin = of.heightMin[r]!; v.heightMax = of.heightMax[r]!;
    out[k] = reachIn(s, v);
  }
  return out;
}

function lowerBound(a: Uint8Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
