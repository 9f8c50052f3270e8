import type { Candidate } from './types.js';
import { copyColumns, rowAt, type Columns } from './columns.js';
import { mutual } from './compatible.js';
import { LIKED_YOU_BONUS, distance } from './score.js';
import { buildBuckets, type Buckets, type Group } from './buckets.js';
import { IdLookup } from './id-lookup.js';
import { TopK } from './top-k.js';
import type { SwipeView } from './swipe-view.js';

// The batch matching engine: for one asker at a time, the top K eligible candidates of a whole
// population. It visits the asker's compatible groups' buckets (see buckets.ts) from the asker's
// centre outwards and stops a direction as soon as nothing further out can beat the current K-th.
// Exact: it returns what the brute-force oracle (brute-force.ts) returns.

export { type Columns, columnsFrom, emptyColumns } from './columns.js';
export { type SwipeView, swipeViewFrom } from './swipe-view.js';
export { askerOrder } from './asker-order.js';

export interface Ranked {
  id: number;
  score: number;
}

export class MatchIndex {
  private readonly cols: Columns;
  private readonly b: Buckets;
  private readonly byId: IdLookup;
  private readonly top = new TopK();
  private outIds = new Int32Array(0);
  private outScores = new Int32Array(0);
  // The asker's query point (buckets.ts explains the scaling), and their own age and height.
  private q0 = 0; private q1 = 0; private q2 = 0; private q3 = 0;
  private age = 0; private height = 0;
  private slack = 0;
  /** A 1024-bit filter of the ids on the asker's swipe lists: a clear bit spares two calls. */
  private readonly swiped = new Uint32Array(32);
  /** Rows whose distance the last topK computed: a measure of pruning, for benchmarks. */
  visited = 0;

  /** Builds the buckets once; `cols` is copied, so the caller may reuse it. */
  constructor(cols: Columns, built?: { cols: Columns; buckets: Buckets }) {
    this.cols = built?.cols ?? copyColumns(cols);
    this.b = built?.buckets ?? buildBuckets(this.cols);
    this.byId = new IdLookup(this.cols.id);
  }

  /** What the index is made of: typed arrays and plain objects, so another thread can build it and send it over. */
  parts(): { cols: Columns; buckets: Buckets } {
    return { cols: this.cols, buckets: this.b };
  }

  /** An index from parts() of one built elsewhere (a worker thread), without building again. */
  static fromParts(parts: { cols: Columns; buckets: Buckets }): MatchIndex {
    return new MatchIndex(parts.cols, parts);
  }

  /** u's top k eligible candidates in the population, ordered by shared/matching/score.ts byRank (score desc, id asc). */
  topK(u: Candidate, k: number, swipes: SwipeView): Ranked[] {
    const n = Math.max(0, Math.min(Math.floor(k), this.cols.length));
    if (this.outIds.length < n) {
      this.outIds = new Int32Array(n);
      this.outScores = new Int32Array(n);
    }
    const found = this.topKInto(u, n, swipes, this.outIds, this.outScores);
    const ranked = new Array<Ranked>(found);
    for (let i = 0; i < found; i++) ranked[i] = { id: this.outIds[i]!, score: this.outScores[i]! };
    return ranked;
  }

  /**
   * topK without the objects: writes u's best min(k, ids.length) into ids and scores, best first,
   * and returns how many it wrote. For callers that pack the lists anyway.
   */
  topKInto(u: Candidate, k: number, swipes: SwipeView, ids: Int32Array, scores: Int32Array): number {
    this.visited = 0;
    const cap = Math.min(Math.floor(k), ids.length, scores.length);
    if (!(cap >= 1)) return 0;
    this.setAsker(u);
    const likers = swipes.likedYouIds;
    // Without the list of likers anyone might carry the bonus, so every bound must allow for it.
    this.slack = likers ? 0 : LIKED_YOU_BONUS;
    this.markSwiped(swipes);
    this.top.reset(cap);
    if (likers) this.offerLikers(u, likers, swipes);
    for (const g of this.b.groups) {
      if (serves(g, u)) this.scanGroup(u, g, swipes);
    }
    return this.top.drainInto(ids, scores);
  }

  /** How many are eligible for u (no k cap) — used by pool counts later. */
  countEligible(u: Candidate, swipes: SwipeView): number {
    checkGender(u);
    const { ids, ranges, bucketStart } = this.b;
    let count = 0;
    for (const g of this.b.groups) {
      const hLo = Math.max(u.heightMin, g.heightLo), hHi = Math.min(u.heightMax, g.heightHi);
      if (!serves(g, u) || hLo > hHi) continue;
      const span = g.heightHi - g.heightLo + 1;
      for (let a = Math.max(u.ageMin, g.ageLo); a <= Math.min(u.ageMax, g.ageHi); a++) {
        const first = g.firstBucket + (a - g.ageLo) * span - g.heightLo;
        // Buckets hLo..hHi of one age are adjacent, so their rows are contiguous.
        for (let r = bucketStart[first + hLo]!, e = bucketStart[first + hHi + 1]!; r < e; r++) {
          const p = 4 * r;
          if (ranges[p]! > u.age || ranges[p + 1]! < u.age || ranges[p + 2]! > u.height || ranges[p + 3]! < u.height) continue;
          if (ids[r] !== u.id && !swipes.excluded(ids[r]!)) count++;
        }
      }
    }
    return count;
  }

  private setAsker(u: Candidate): void {
    checkGender(u);
    this.q0 = 5 * (u.ageMin + u.ageMax);
    this.q1 = 2 * (u.heightMin + u.heightMax);
    this.q2 = 10 * u.age;
    this.q3 = 4 * u.height;
    this.age = u.age;
    this.height = u.height;
  }

  /**
   * Ages nearest the asker's preferred centre first, and in each age the heights nearest first;
   * a direction ends where the bucket's own distance alone already loses to the K-th.
   */
  private scanGroup(u: Candidate, g: Group, swipes: SwipeView): void {
    const aLo = Math.max(u.ageMin, g.ageLo), aHi = Math.min(u.ageMax, g.ageHi);
    const hLo = Math.max(u.heightMin, g.heightLo), hHi = Math.min(u.heightMax, g.heightHi);
    if (aLo > aHi || hLo > hHi) return;
    const { q0, q1, slack, top } = this;
    const span = g.heightHi - g.heightLo + 1;
    const ages = new Outward(q0 / 10, aLo, aHi);
    for (let a = ages.next(); a >= 0; a = ages.next()) {
      const t0 = Math.abs(10 * a - q0);
      if (t0 - slack > top.barDistance) break; // equal may still win on the smaller id
      const first = g.firstBucket + (a - g.ageLo) * span - g.heightLo;
      const heights = new Outward(q1 / 4, hLo, hHi);
      for (let h = heights.next(); h >= 0; h = heights.next()) {
        const base = t0 + Math.abs(4 * h - q1);
        if (base - slack > top.barDistance) break;
        this.scanBucket(first + h, base, u.id, swipes);
      }
    }
  }

  /**
   * Offers a bucket's rows within the distance budget: run by run, age sums nearest the asker's
   * first, the rows whose height sum still fits, found by binary search in the run.
   */
  private scanBucket(bucket: number, base: number, self: number, swipes: SwipeView): void {
    const { ids, heightSum, ranges, bucketStart, runStart } = this.b;
    const { age, height, slack, top, swiped } = this;
    if (bucketStart[bucket] === bucketStart[bucket + 1]) return;
    const lowest = this.b.runLow[bucket]!, highest = this.b.runHigh[bucket]!;
    const runs = this.b.runFirst[bucket]! - lowest;
    const ageSum = 2 * age, ownHeightSum = 2 * height;
    let bar = top.barDistance;
    let down = Math.min(highest, ageSum), up = down + 1;
    if (down < lowest) up = lowest;
    for (;;) {
      let a: number;
      if (down >= lowest && (up > highest || ageSum - down <= up - ageSum)) a = down--;
      else if (up <= highest) a = up++;
      else return;
      const t2 = 5 * Math.abs(a - ageSum);
      const room = bar + slack - base - t2;
      if (room < 0) return;
      const e = runStart[runs + a + 1]!;
      let r = runStart[runs + a]!;
      const from = ownHeightSum - Math.floor(room / 2);
      // Skip the rows whose height sum is below the budget: by halving in long runs, else one by one.
      for (let hi = e; hi - r > 16; ) {
        const mid = (r + hi) >> 1;
        if (heightSum[mid]! < from) r = mid + 1;
        else hi = mid;
      }
      while (r < e && heightSum[r]! < from) r++;
      for (; r < e; r++) {
        this.visited++;
        const t3 = 2 * (heightSum[r]! - ownHeightSum);
        const d = base + t2 + Math.abs(t3);
        if (d - slack > bar) {
          if (t3 > 0) break; // the rest of the run is further still
          continue;
        }
        const p = 4 * r;
        if (ranges[p]! > age || ranges[p + 1]! < age || ranges[p + 2]! > height || ranges[p + 3]! < height) continue;
        const id = ids[r]!;
        let dist = d;
        if ((swiped[(id >>> 5) & 31]! & (1 << (id & 31))) !== 0) {
          if (swipes.excluded(id)) continue;
          if (swipes.likedYou(id)) {
            if (slack === 0) continue; // ranked by offerLikers, with their bonus
            dist -= LIKED_YOU_BONUS;
          }
        }
        if (dist > bar || id === self) continue;
        top.offer(dist, id);
        bar = top.barDistance;
      }
    }
  }

  private markSwiped(swipes: SwipeView): void {
    const { excludedIds, likedYouIds } = swipes;
    if (!excludedIds || !likedYouIds) {
      this.swiped.fill(-1 >>> 0);
      return;
    }
    this.swiped.fill(0);
    for (const list of [excludedIds, likedYouIds]) {
      for (let i = 0; i < list.length; i++) this.swiped[(list[i]! >>> 5) & 31]! |= 1 << (list[i]! & 31);
    }
  }

  /** Ranks the users who liked the asker, with their bonus; the bucket scan then skips them. */
  private offerLikers(u: Candidate, likers: ArrayLike<number>, swipes: SwipeView): void {
    for (let i = 0; i < likers.length; i++) {
      const id = likers[i]!;
      if (i > 0 && likers[i - 1] === id) continue; // a sorted list may repeat an id
      const row = this.byId.rowOf(id);
      if (row < 0 || swipes.excluded(id)) continue;
      const v = rowAt(this.cols, row);
      const dist = distance(u, v) - LIKED_YOU_BONUS;
      if (mutual(u, v) && dist <= this.top.barDistance) this.top.offer(dist, id);
    }
  }
}

/**
 * Each user is in one group per gender they accept, so an asker of several genders at once would
 * meet some users twice. Gender bits are single bits (shared/genders.ts), or 0 for nobody.
 */
function checkGender(u: Candidate): void {
  if ((u.genderBit & (u.genderBit - 1)) !== 0) throw new RangeError(`genderBit ${u.genderBit} is not a single gender`);
}

/** Group g holds candidates for u: of a gender u wants, and open to u's gender. */
function serves(g: Group, u: Candidate): boolean {
  return g.accepts === u.genderBit && (u.interestMask & g.genderBit) !== 0;
}

/** Integers lo..hi in order of distance from a centre (which may lie outside), nearest first. */
class Outward {
  private down: number;
  private up: number;
  constructor(private readonly centre: number, private readonly lo: number, private readonly hi: number) {
    this.down = Math.min(hi, Math.floor(centre));
    this.up = this.down + 1;
    if (this.down < lo) this.up = lo;
  }
  /** The next value, or -1 when all are taken. */
  next(): number {
    const { down, up } = this;
    if (down >= this.lo && (up > this.hi || this.centre - down <= up - this.centre)) return this.down--;
    if (up <= this.hi) return this.up++;
    return -1;
  }
}
