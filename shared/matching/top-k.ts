import { SCORE_BASE } from './score.js';

// The K best candidates so far, kept by distance. Distances are small integers, so instead of a
// heap this keeps one list per distance: an offer is an append, and the bar (the largest distance
// that can still make the top K) drops by whole distances as better candidates arrive. Everyone
// at the bar distance is kept, since ties go to the smaller id; drain() sorts those out.

/**
 * Costs are stored shifted by this, so that boosts, interest points and a liked-you bonus can't make
 * them negative (score.ts bounds them: MAX_BOOST + 1000 + 2000 < OFFSET).
 */
const OFFSET = 5000;

export class TopK {
  private head = new Int32Array(8192).fill(-1);
  private count = new Int32Array(8192);
  private ids = new Int32Array(1024);
  private next = new Int32Array(1024);
  private used = 0;
  private total = 0;
  private k = 0;
  /** Lowest and highest slots in use, so reset() clears only those. */
  private low = Infinity;
  private high = -1;
  /** Slot of the bar once full (total >= k); before that -1. */
  private barSlot = -1;
  /** Scratch for sorting the ids at one distance. */
  private tied = new Int32Array(256);
  /** The largest distance that can still enter (inclusive: ties go by id). */
  barDistance = Infinity;

  reset(k: number): void {
    if (this.high >= 0) {
      this.head.fill(-1, this.low, this.high + 1);
      this.count.fill(0, this.low, this.high + 1);
    }
    this.used = this.total = 0;
    this.k = k;
    this.low = Infinity;
    this.high = -1;
    this.barSlot = -1;
    this.barDistance = Infinity;
  }

  /** Adds a candidate; the caller has checked dist <= barDistance. */
  offer(dist: number, id: number): void {
    const slot = dist + OFFSET;
    if (slot >= this.head.length) this.grow(slot);
    if (this.used === this.ids.length) {
      this.ids = grown(this.ids);
      this.next = grown(this.next);
    }
    const e = this.used++;
    this.ids[e] = id;
    this.next[e] = this.head[slot]!;
    this.head[slot] = e;
    this.count[slot]!++;
    if (slot < this.low) this.low = slot;
    if (slot > this.high) this.high = slot;
    if (++this.total < this.k) return;
    let bar = this.barSlot < 0 ? this.high : this.barSlot;
    // While the distances below the bar hold k on their own, nobody at the bar can make it.
    while (this.total - this.count[bar]! >= this.k) {
      this.total -= this.count[bar]!;
      this.count[bar] = 0;
      this.head[bar] = -1;
      do bar--;
      while (this.count[bar] === 0);
    }
    this.barSlot = bar;
    this.barDistance = bar - OFFSET;
  }

  /** Writes the best k, best first (distance ascending, ties by id), as ids and scores; returns how many. */
  drainInto(outIds: Int32Array, outScores: Int32Array): number {
    const last = this.barSlot < 0 ? this.high : this.barSlot;
    const k = Math.min(this.k, outIds.length, outScores.length);
    let out = 0;
    for (let slot = this.low; slot <= last && out < k; slot++) {
      const n = this.count[slot]!;
      if (n === 0) continue;
      if (this.tied.length < n) this.tied = new Int32Array(2 * n);
      const tied = this.tied;
      let i = 0;
      for (let e = this.head[slot]!; e >= 0; e = this.next[e]!) tied[i++] = this.ids[e]!;
      sortIds(tied, n);
      const score = SCORE_BASE - (slot - OFFSET);
      for (let j = 0; j < n && out < k; j++, out++) {
        outIds[out] = tied[j]!;
        outScores[out] = score;
      }
    }
    return out;
  }

  private grow(slot: number): void {
    const size = 2 ** Math.ceil(Math.log2(slot + 1));
    const head = new Int32Array(size).fill(-1);
    head.set(this.head);
    const count = new Int32Array(size);
    count.set(this.count);
    this.head = head;
    this.count = count;
  }
}

/** Sorts ids[0..n) ascending: insertion sort for the usual handful of ties. */
function sortIds(ids: Int32Array, n: number): void {
  if (n > 32) {
    ids.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = ids[i]!;
    let j = i - 1;
    while (j >= 0 && ids[j]! > x) {
      ids[j + 1] = ids[j]!;
      j--;
    }
    ids[j + 1] = x;
  }
}

function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
