import type { Columns } from './columns.js';
import { MAX_BOOST } from './score.js';

// The index behind MatchIndex. Users are grouped by (gender, a gender they are open to), so the
// gender rules of both directions hold for a whole group at once (someone open to two genders is
// in two groups). A group is cut into buckets of one age and one height: exact values, because the
// score is coarse and at a million users the top 100 typically lie within a year and a few cm of
// the asker's centre. Inside a bucket, rows are sorted by ageMin+ageMax ("age sum"), then by
// heightMin+heightMax ("height sum"); a run is the rows of one age sum, found through a small
// directory, and sorted by height sum for a binary search. Buckets and runs are contiguous rows.
// A bucket of at most SMALL_BUCKET rows is read row by row instead (runs and halving cost more than
// they save on a handful): it has no runs, and its rows are sorted by boost, best first, so a scan
// stops at the first row whose boost can no longer make up for the bucket's distance.
//
// score.ts's distance() in these terms, for asker u and candidate v in bucket (age, height):
//   |10*age - 5*(u.ageMin+u.ageMax)| + |4*height - 2*(u.heightMin+u.heightMax)|   (the bucket's part)
//   + 5*|v's age sum - 2*u.age|                                                   (the run's part)
//   + 2*|v's height sum - 2*u.height|                                             (the row's part)
//
// The score also adds a per-candidate boost (score.ts) and points for shared interests, which no
// distance ordering sees. For pruning, each bucket and group keeps the largest boost of its rows:
// a candidate's score is then at most SCORE_BASE - (its distance bound) + that maximum + the
// asker's largest interest points, an admissible bound for the best-first search. So that one
// well-liked user does not widen the search for a whole group, groups are also split by boost,
// in tiers TIER points wide, best tier first: a low tier is searched only close to the centre.
// Interest points are the asker's, so they are bounded through a 32-bit signature of tags (bit
// tag & 31) per row and per bucket: no common bit, no shared tag; and when the asker's own tags
// have distinct bits, a row or bucket shares at most as many tags as it has common bits.

/** Buckets of at most this many rows are read row by row (measured with bench/matching.ts). */
export const SMALL_BUCKET = 16;
/** Age and height sums are at most 510 (two Uint8 values). */
const SUMS = 511;
/** Width of a boost tier, in points (score.ts: 10 = a year of age fit). */
const TIER = 60;
const TIERS = Math.ceil((2 * MAX_BOOST) / TIER) + 1;
const tierOf = (boost: number) => Math.floor((boost + MAX_BOOST) / TIER);

export interface Group {
  /** The gender of everyone in the group. */
  genderBit: number;
  /** A gender bit that everyone in the group is open to: the group serves askers of that gender. */
  accepts: number;
  /** Ages and heights present in the group: its bucket table is ages x heights, row-major by age. */
  ageLo: number;
  ageHi: number;
  heightLo: number;
  heightHi: number;
  /** Index of the group's first bucket in `bucketStart`. */
  firstBucket: number;
  /** The largest boost of anyone in the group. */
  boostMax: number;
}

/** Per user row (as in Columns): the ranking's boost, and interest tags as dictionary ids. */
export interface RowExtras {
  boost: Int16Array;
  /** Tags of user row i are tags[tagStart[i] .. tagStart[i + 1]). */
  tagStart: Int32Array;
  tags: Int32Array;
}

export interface Buckets {
  /** Rows: a user is in one group per gender they are open to, so this may exceed the population. */
  length: number;
  /** Per row, in bucket order. */
  ids: Int32Array;
  /** heightMin+heightMax: ascending inside each run. */
  heightSum: Uint16Array;
  /** ageMin, ageMax, heightMin, heightMax: four per row, for the reverse check. */
  ranges: Uint8Array;
  /** Per row: the candidate's boost (score.ts), and their interest tags (dictionary ids). */
  boost: Int16Array;
  tagStart: Int32Array;
  tags: Int32Array;
  /** Per row, and per bucket (the OR of its rows'): bit t & 31 set for each tag t. */
  tagSig: Int32Array;
  bucketSig: Int32Array;
  /** Largest boost in each bucket. */
  boostMax: Int16Array;
  /** First row of each bucket; bucketStart[b + 1] ends it. */
  bucketStart: Int32Array;
  /** Lowest and highest age sum in each bucket of more than SMALL_BUCKET rows. */
  runLow: Uint16Array;
  runHigh: Uint16Array;
  /** runStart[runFirst[b] + s - runLow[b]] is the first row of bucket b with age sum >= s, for s up to runHigh[b] + 1. */
  runFirst: Int32Array;
  runStart: Int32Array;
  groups: Group[];
}

export function buildBuckets(cols: Columns, extras: RowExtras): Buckets {
  const n = cols.length;
  // Group by (gender, accepted gender): an asker then reads one group per gender they want, and
  // everyone in it is open to the asker's gender, whatever else they are open to.
  const groupOfKey = new Int32Array(16 * 8 * TIERS).fill(-1);
  const tierOfRow = Uint8Array.from(extras.boost.subarray(0, n), tierOf);
  const keyOf = (i: number, bit: number) => (cols.genderBit[i]! * 8 + bit) * TIERS + tierOfRow[i]!;
  let groups: Group[] = [];
  let rows = 0;
  for (let i = 0; i < n; i++) {
    for (let bit = 0; bit < 8; bit++) {
      if ((cols.interestMask[i]! & (1 << bit)) === 0) continue;
      const key = keyOf(i, bit);
      let g = groupOfKey[key]!;
      if (g < 0) {
        g = groupOfKey[key] = groups.length;
        groups.push({ genderBit: cols.genderBit[i]!, accepts: 1 << bit, ageLo: 255, ageHi: 0, heightLo: 255, heightHi: 0, firstBucket: 0, boostMax: -32768 });
      }
      const grp = groups[g]!;
      grp.ageLo = Math.min(grp.ageLo, cols.age[i]!);
      grp.ageHi = Math.max(grp.ageHi, cols.age[i]!);
      grp.heightLo = Math.min(grp.heightLo, cols.height[i]!);
      grp.heightHi = Math.max(grp.heightHi, cols.height[i]!);
      grp.boostMax = Math.max(grp.boostMax, extras.boost[i]!);
      rows++;
    }
  }
  // Best tier first, so the K-th is good early and lower tiers are cut short.
  const byBoost = groups.map((_, g) => g).sort((a, b) => groups[b]!.boostMax - groups[a]!.boostMax);
  const rank = new Int32Array(groups.length);
  byBoost.forEach((g, r) => (rank[g] = r));
  for (let k = 0; k < groupOfKey.length; k++) if (groupOfKey[k]! >= 0) groupOfKey[k] = rank[groupOfKey[k]!]!;
  groups = byBoost.map((g) => groups[g]!);
  let buckets = 0;
  for (const g of groups) {
    g.firstBucket = buckets;
    buckets += (g.ageHi - g.ageLo + 1) * (g.heightHi - g.heightLo + 1);
  }
  const userOf = new Int32Array(rows);
  const bucketOf = new Int32Array(rows);
  for (let i = 0, r = 0; i < n; i++) {
    for (let bit = 0; bit < 8; bit++) {
      if ((cols.interestMask[i]! & (1 << bit)) === 0) continue;
      const g = groups[groupOfKey[keyOf(i, bit)]!]!;
      userOf[r] = i;
      bucketOf[r++] = g.firstBucket + (cols.age[i]! - g.ageLo) * (g.heightHi - g.heightLo + 1) + cols.height[i]! - g.heightLo;
    }
  }

  // Stable counting sorts (LSD radix): by the height sum, the age sum, then the bucket.
  const byHeight = countingSort(rows, SUMS, (r) => cols.heightMin[userOf[r]!]! + cols.heightMax[userOf[r]!]!, null).order;
  const byAge = countingSort(rows, SUMS, (r) => cols.ageMin[userOf[r]!]! + cols.ageMax[userOf[r]!]!, byHeight).order;
  const { order, starts: bucketStart } = countingSort(rows, buckets, (r) => bucketOf[r]!, byAge);
  for (let k = 0; k < buckets; k++) {
    const s = bucketStart[k]!, e = bucketStart[k + 1]!;
    if (e - s > 1 && e - s <= SMALL_BUCKET) order.subarray(s, e).sort((x, y) => extras.boost[userOf[y]!]! - extras.boost[userOf[x]!]!);
  }

  const b: Buckets = {
    length: rows,
    ids: new Int32Array(rows),
    heightSum: new Uint16Array(rows),
    ranges: new Uint8Array(4 * rows),
    boost: new Int16Array(rows),
    tagStart: new Int32Array(rows + 1),
    tags: new Int32Array(0),
    tagSig: new Int32Array(rows),
    bucketSig: new Int32Array(buckets),
    boostMax: new Int16Array(buckets).fill(-32768),
    bucketStart,
    runLow: new Uint16Array(buckets),
    runHigh: new Uint16Array(buckets),
    runFirst: new Int32Array(buckets),
    runStart: new Int32Array(0),
    groups,
  };
  for (let r = 0; r < rows; r++) {
    const i = userOf[order[r]!]!;
    b.ids[r] = cols.id[i]!;
    b.heightSum[r] = cols.heightMin[i]! + cols.heightMax[i]!;
    b.ranges[4 * r] = cols.ageMin[i]!;
    b.ranges[4 * r + 1] = cols.ageMax[i]!;
    b.ranges[4 * r + 2] = cols.heightMin[i]!;
    b.ranges[4 * r + 3] = cols.heightMax[i]!;
    b.boost[r] = extras.boost[i]!;
    b.tagStart[r + 1] = b.tagStart[r]! + extras.tagStart[i + 1]! - extras.tagStart[i]!;
  }
  b.tags = new Int32Array(b.tagStart[rows]!);
  for (let r = 0; r < rows; r++) {
    const i = userOf[order[r]!]!;
    b.tags.set(extras.tags.subarray(extras.tagStart[i]!, extras.tagStart[i + 1]!), b.tagStart[r]!);
    let sig = 0;
    for (let j = extras.tagStart[i]!; j < extras.tagStart[i + 1]!; j++) sig |= 1 << (extras.tags[j]! & 31);
    b.tagSig[r] = sig;
  }
  for (let k = 0; k < buckets; k++) {
    for (let r = bucketStart[k]!; r < bucketStart[k + 1]!; r++) {
      if (b.boost[r]! > b.boostMax[k]!) b.boostMax[k] = b.boost[r]!;
      b.bucketSig[k]! |= b.tagSig[r]!;
    }
  }
  indexRuns(b);
  return b;
}

/** Fills the run directory: for each bucket, where each age sum from its lowest to its highest starts. */
function indexRuns(b: Buckets): void {
  const { ranges, bucketStart, runLow, runHigh, runFirst } = b;
  const ageSum = (r: number) => ranges[4 * r]! + ranges[4 * r + 1]!;
  let entries = 0;
  for (let k = 0; k < runFirst.length; k++) {
    const s = bucketStart[k]!, e = bucketStart[k + 1]!;
    if (e - s <= SMALL_BUCKET) continue;
    runLow[k] = ageSum(s);
    runHigh[k] = ageSum(e - 1);
    runFirst[k] = entries;
    entries += runHigh[k]! - runLow[k]! + 2;
  }
  const runStart = (b.runStart = new Int32Array(entries));
  for (let k = 0; k < runFirst.length; k++) {
    const s = bucketStart[k]!, e = bucketStart[k + 1]!;
    if (e - s <= SMALL_BUCKET) continue;
    let r = s;
    for (let sum = runLow[k]!; sum <= runHigh[k]! + 1; sum++) {
      while (r < e && ageSum(r) < sum) r++;
      runStart[runFirst[k]! + sum - runLow[k]!] = r;
    }
  }
}

/** Stable counting sort of `input` (or 0..n-1) by key(i) in 0..keys-1; starts[k] is where key k begins. */
export function countingSort(
  n: number,
  keys: number,
  key: (i: number) => number,
  input: Int32Array | null,
): { order: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(keys + 1);
  for (let i = 0; i < n; i++) starts[key(i) + 1]!++;
  for (let k = 0; k < keys; k++) starts[k + 1]! += starts[k]!;
  const next = starts.slice(0, keys);
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = input ? input[j]! : j;
    order[next[key(i)]!++] = i;
  }
  return { order, starts };
}
