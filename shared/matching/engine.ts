import type { Candidate } from './types.js';
import { copyColumns, interestsAt, rowAt, type Columns } from './columns.js';
import { mutual } from './compatible.js';
import { type Weights, FAIR, SCORE_BASE, baseScore, boost, checkWeights, interestPoints } from './score.js';
import { SMALL_BUCKET, buildBuckets, type Buckets, type Group, type RowExtras } from './buckets.js';
import { IdLookup } from './id-lookup.js';
import { TopK } from './top-k.js';
import type { SwipeView } from './swipe-view.js';

// The batch matching engine: for one asker at a time, the top K eligible candidates of a whole
// population. It visits the asker's compatible groups' buckets (see buckets.ts) from the asker's
// centre outwards and stops a direction as soon as nothing further out can beat the current K-th,
// allowing for the largest boost and interest points anyone there could add (buckets.ts).
// Exact: it returns what the brute-force oracle (brute-force.ts) returns. Costs are
// SCORE_BASE - score: distance minus boost and interest points, minus the bonus of a capped liker.

export { type Columns, columnsBuilder, columnsFrom, emptyColumns } from './columns.js';
export { type SwipeView, swipeViewFrom } from './swipe-view.js';
export { askerOrder } from './asker-order.js';

/** A built index, as plain data (typed arrays, objects and a Map) that can cross to another thread. */
export interface IndexParts {
  cols: Columns;
  buckets: Buckets;
  tagIds: Map<string, number>;
  weights: Weights;
  /** The id -> row hash table (id-lookup.ts), built with the rest rather than on the first query. */
  idTable?: Int32Array;
}

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
  /** The most interest points the asker can give anyone (their known tags, capped). */
  private ovMax = 0;
  /** The asker's tag signature (buckets.ts), and whether their tags have distinct bits in it. */
  private askSig = 0;
  private sigCounts = false;
  private readonly w: Weights;
  /** Interest tag -> dictionary id; the asker's tags are marked in `mine` during a query. */
  private readonly tagIds = new Map<string, number>();
  private mine = new Uint8Array(0);
  private readonly mineList: number[] = [];
  /** A 1024-bit filter of the ids on the asker's swipe lists: a clear bit spares two calls. */
  private readonly swiped = new Uint32Array(32);
  /** Rows whose distance the last topK computed: a measure of pruning, for benchmarks. */
  visited = 0;

  /** Builds the buckets once for the given ranking; `cols` is copied, so the caller may reuse it. */
  constructor(cols: Columns, weights: Weights = FAIR, built?: IndexParts) {
    checkWeights(weights);
    this.w = weights;
    this.cols = built?.cols ?? copyColumns(cols);
    if (built) for (const [t, id] of built.tagIds) this.tagIds.set(t, id);
    this.b = built?.buckets ?? buildBuckets(this.cols, this.rowExtras());
    this.byId = new IdLookup(this.cols.id, built?.idTable);
    this.mine = new Uint8Array(this.tagIds.size);
  }

  /** What the index is made of: typed arrays and plain objects, so another thread can build it and send it over. */
  parts(): IndexParts {
    return { cols: this.cols, buckets: this.b, tagIds: this.tagIds, weights: this.w, idTable: this.byId.table() };
  }

  /** An index from parts() of one built elsewhere (a worker thread), without building again. */
  static fromParts(parts: IndexParts): MatchIndex {
    return new MatchIndex(parts.cols, parts.weights, parts);
  }

  /** Per row: the boost (score.ts, the one definition) and the tags as dictionary ids. */
  private rowExtras(): RowExtras {
    const { cols, tagIds } = this;
    const n = cols.length;
    const boosts = new Int16Array(n);
    const tagStart = new Int32Array(n + 1);
    const tags: number[] = [];
    for (let i = 0; i < n; i++) {
      boosts[i] = boost(rowAt(cols, i), this.w);
      for (const t of interestsAt(cols, i) ?? []) {
        let id = tagIds.get(t);
        if (id === undefined) tagIds.set(t, (id = tagIds.size));
        tags.push(id);
      }
      tagStart[i + 1] = tags.length;
    }
    return { boost: boosts, tagStart, tags: Int32Array.from(tags) };
  }

  /**
   * u's top k eligible candidates in the population, ordered by shared/matching/score.ts byRank
   * (score desc, id asc). `extras`: more candidates, judged on these rows (the live path's users
   * changed since the index was built); the caller leaves their ids out through `swipes.excluded`
   * (so the index's stale rows are skipped) and passes only those u has not swiped on.
   */
  /** How many users it holds. */
  get size(): number {
    return this.cols.length;
  }

  topK(u: Candidate, k: number, swipes: SwipeView, extras: readonly Candidate[] = []): Ranked[] {
    const n = Math.max(0, Math.min(Math.floor(k), this.cols.length + extras.length));
    if (this.outIds.length < n) {
      this.outIds = new Int32Array(n);
      this.outScores = new Int32Array(n);
    }
    const found = this.topKInto(u, n, swipes, this.outIds, this.outScores, extras);
    const ranked = new Array<Ranked>(found);
    for (let i = 0; i < found; i++) ranked[i] = { id: this.outIds[i]!, score: this.outScores[i]! };
    return ranked;
  }

  /**
   * topK without the objects: writes u's best min(k, ids.length) into ids and scores, best first,
   * and returns how many it wrote. For callers that pack the lists anyway.
   */
  topKInto(u: Candidate, k: number, swipes: SwipeView, ids: Int32Array, scores: Int32Array, extras: readonly Candidate[] = []): number {
    this.visited = 0;
    const cap = Math.min(Math.floor(k), ids.length, scores.length);
    if (!(cap >= 1)) return 0;
    this.setAsker(u);
    this.markSwiped(swipes);
    this.top.reset(cap);
    try {
      // Likers first: the bonus goes to the best few, so they are ranked together, before the scan.
      this.offerLikers(u, swipes, extras);
      for (const g of this.b.groups) {
        if (serves(g, u)) this.scanGroup(u, g, swipes);
      }
    } finally {
      for (const t of this.mineList) this.mine[t] = 0;
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
    this.mineList.length = 0;
    for (const t of u.interests ?? []) {
      const id = this.tagIds.get(t);
      if (id !== undefined && this.mine[id] === 0) {
        this.mine[id] = 1;
        this.mineList.push(id);
      }
    }
    this.ovMax = interestPoints(this.mineList.length, this.w);
    this.askSig = 0;
    if (this.ovMax > 0) for (const id of this.mineList) this.askSig |= 1 << (id & 31);
    this.sigCounts = bitCount(this.askSig) === this.mineList.length;
  }

  /** At most the interest points of anyone whose tag signature (buckets.ts) has these bits in common with the asker's. */
  private interestBound(common: number): number {
    if (common === 0) return 0;
    return this.sigCounts ? interestPoints(bitCount(common), this.w) : this.ovMax;
  }

  /** Interest points of bucket row r for the current asker. */
  private rowInterest(r: number): number {
    const { tags, tagStart } = this.b;
    let n = 0;
    for (let j = tagStart[r]!, e = tagStart[r + 1]!; j < e; j++) n += this.mine[tags[j]!]!;
    return interestPoints(n, this.w);
  }

  /**
   * Ages nearest the asker's preferred centre first, and in each age the heights nearest first;
   * a direction ends where the bucket's own distance alone already loses to the K-th.
   */
  private scanGroup(u: Candidate, g: Group, swipes: SwipeView): void {
    const aLo = Math.max(u.ageMin, g.ageLo), aHi = Math.min(u.ageMax, g.ageHi);
    const hLo = Math.max(u.heightMin, g.heightLo), hHi = Math.min(u.heightMax, g.heightHi);
    if (aLo > aHi || hLo > hHi) return;
    const { q0, q1, top, ovMax } = this;
    // No one in the group can take off more than this from their distance.
    const slack = g.boostMax + ovMax;
    // The nearest corner of the group's ages and heights: when even that loses, skip the group.
    const nearest = Math.abs(10 * Math.min(aHi, Math.max(aLo, q0 / 10)) - q0) + Math.abs(4 * Math.min(hHi, Math.max(hLo, q1 / 4)) - q1);
    if (Math.floor(nearest) - slack > top.barDistance) return;
    const span = g.heightHi - g.heightLo + 1;
    const ages = new Outward(q0 / 10, aLo, aHi);
    // Heights from the one nearest the centre, downwards then upwards: each way the distance grows.
    const mid = Math.min(hHi, Math.floor(q1 / 4));
    for (let a = ages.next(); a >= 0; a = ages.next()) {
      const t0 = Math.abs(10 * a - q0);
      if (t0 - slack > top.barDistance) break; // equal may still win on the smaller id
      const first = g.firstBucket + (a - g.ageLo) * span - g.heightLo;
      for (let h = mid; h >= hLo; h--) {
        const base = t0 + Math.abs(4 * h - q1);
        if (base - slack > top.barDistance) break;
        this.visitBucket(first + h, base, u.id, swipes);
      }
      for (let h = Math.max(hLo, mid + 1); h <= hHi; h++) {
        const base = t0 + Math.abs(4 * h - q1);
        if (base - slack > top.barDistance) break;
        this.visitBucket(first + h, base, u.id, swipes);
      }
    }
  }

  /** Scans the bucket unless its best boost and interest points cannot bring it under the bar. */
  private visitBucket(bucket: number, base: number, self: number, swipes: SwipeView): void {
    const most = this.b.boostMax[bucket]!;
    if (base - most - this.ovMax > this.top.barDistance) return; // also every empty bucket, once the bar is set
    const slack = most + this.interestBound(this.b.bucketSig[bucket]! & this.askSig);
    if (base - slack <= this.top.barDistance) this.scanBucket(bucket, base, slack, self, swipes);
  }

  /**
   * Offers a bucket's rows within the distance budget (`slack`: the most that boost and interest
   * take off in this bucket). A small bucket is read row by row (buckets.ts); a larger one run by
   * run, age sums nearest the asker's first, the rows whose height sum still fits, by binary search.
   */
  private scanBucket(bucket: number, base: number, slack: number, self: number, swipes: SwipeView): void {
    const { heightSum, ranges, bucketStart, runStart } = this.b;
    const { age, height, top } = this;
    const start = bucketStart[bucket]!, end = bucketStart[bucket + 1]!;
    if (start === end) return;
    const ageSum = 2 * age, ownHeightSum = 2 * height;
    if (end - start <= SMALL_BUCKET) {
      // Rows by boost, best first (buckets.ts): stop where the boost no longer makes up for the bucket's distance.
      const { boost } = this.b;
      const interest = slack - this.b.boostMax[bucket]!;
      for (let r = start; r < end; r++) {
        if (base - boost[r]! - interest > top.barDistance) return;
        this.visited++;
        const p = 4 * r;
        const d = base + 5 * Math.abs(ranges[p]! + ranges[p + 1]! - ageSum) + 2 * Math.abs(heightSum[r]! - ownHeightSum);
        if (d - slack <= top.barDistance) this.consider(r, d, self, swipes);
      }
      return;
    }
    const lowest = this.b.runLow[bucket]!, highest = this.b.runHigh[bucket]!;
    const runs = this.b.runFirst[bucket]! - lowest;
    let down = Math.min(highest, ageSum), up = down + 1;
    if (down < lowest) up = lowest;
    for (;;) {
      let a: number;
      if (down >= lowest && (up > highest || ageSum - down <= up - ageSum)) a = down--;
      else if (up <= highest) a = up++;
      else return;
      const t2 = 5 * Math.abs(a - ageSum);
      const room = top.barDistance + slack - base - t2;
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
        if (d - slack > top.barDistance) {
          if (t3 > 0) break; // the rest of the run is further still
          continue;
        }
        this.consider(r, d, self, swipes);
      }
    }
  }

  /** Offers bucket row r, at distance d from the asker, if it is eligible and can still make the top K. */
  private consider(r: number, d: number, self: number, swipes: SwipeView): void {
    const { ranges, boost, tagSig } = this.b;
    const { age, height, top } = this;
    const bar = top.barDistance;
    let cost = d - boost[r]!;
    // Interest points only for a row with a tag bit in common with the asker (buckets.ts).
    const common = tagSig[r]! & this.askSig;
    if (cost > bar && (common === 0 || cost - this.interestBound(common) > bar)) return;
    const p = 4 * r;
    if (ranges[p]! > age || ranges[p + 1]! < age || ranges[p + 2]! > height || ranges[p + 3]! < height) return;
    if (common !== 0) cost -= this.rowInterest(r);
    const id = this.b.ids[r]!;
    if (cost > bar || id === self) return;
    if ((this.swiped[(id >>> 5) & 31]! & (1 << (id & 31))) !== 0) {
      if (swipes.excluded(id)) return;
      if (swipes.likedYou(id)) return; // ranked by offerLikers
    }
    top.offer(cost, id);
  }

  private markSwiped(swipes: SwipeView): void {
    const { excludedIds, likedYouIds } = swipes;
    if (!excludedIds) {
      this.swiped.fill(-1 >>> 0);
      return;
    }
    this.swiped.fill(0);
    for (const list of [excludedIds, likedYouIds]) {
      for (let i = 0; i < list.length; i++) this.swiped[(list[i]! >>> 5) & 31]! |= 1 << (list[i]! & 31);
    }
  }

  /**
   * Ranks the eligible users who liked the asker (from the index, and among `extras`), gives the
   * bonus to the best `likerCap` of them, and offers the extras that did not like the asker. The
   * bucket scan then skips likers.
   */
  private offerLikers(u: Candidate, swipes: SwipeView, extras: readonly Candidate[]): void {
    const likers = swipes.likedYouIds;
    const found: { id: number; score: number }[] = [];
    const consider = (v: Candidate) => {
      if (!mutual(u, v)) return;
      const s = baseScore(u, v, this.w);
      if (swipes.likedYou(v.id)) found.push({ id: v.id, score: s });
      else this.offer(SCORE_BASE_COST(s), v.id);
    };
    for (let i = 0; i < likers.length; i++) {
      const id = likers[i]!;
      if (i > 0 && likers[i - 1] === id) continue; // a sorted list may repeat an id
      const row = this.byId.rowOf(id);
      if (row < 0 || swipes.excluded(id)) continue;
      consider(rowAt(this.cols, row));
    }
    for (const v of extras) consider(v);
    if (!found.length) return;
    found.sort((a, b) => b.score - a.score || a.id - b.id);
    const seen = new Set<number>();
    let granted = 0;
    for (const f of found) {
      if (seen.has(f.id)) continue; // an extra may repeat an index liker's id only if the caller erred; keep the first
      seen.add(f.id);
      const bonus = granted < this.w.likerCap ? this.w.likedYouBonus : 0;
      if (bonus) granted++;
      this.offer(SCORE_BASE_COST(f.score + bonus), f.id);
    }
  }

  private offer(cost: number, id: number): void {
    if (cost <= this.top.barDistance) this.top.offer(cost, id);
  }
}

const SCORE_BASE_COST = (score: number) => SCORE_BASE - score;

/** Set bits in a 32-bit integer. */
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
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
