/** Per asking user: who to leave out and who liked them. Ids are user ids (not row numbers). */
export interface SwipeView {
  excluded(id: number): boolean;
  likedYou(id: number): boolean;
  /** Optional, for speed: exactly the ids for which excluded is true. */
  readonly excludedIds?: ArrayLike<number>;
  /**
   * Exactly the ids for which likedYou is true (sorted or not). The engine ranks the likers
   * together (the bonus goes to the best few of them), then prunes everyone else without allowing
   * for a bonus they cannot get. With excludedIds as well, it asks the two functions only about
   * ids on a list.
   */
  readonly likedYouIds: ArrayLike<number>;
}

/** A SwipeView from sorted arrays, for the worker: excluded = u's own likes and passes + who passed on u; liked = who liked u. */
export function swipeViewFrom(excludedSortedIds: Int32Array, likedYouSortedIds: Int32Array): SwipeView {
  return {
    excluded: (id) => contains(excludedSortedIds, id),
    likedYou: (id) => contains(likedYouSortedIds, id),
    excludedIds: excludedSortedIds,
    likedYouIds: likedYouSortedIds,
  };
}

function contains(sorted: Int32Array, id: number): boolean {
  let lo = 0, hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = sorted[mid]!;
    if (x === id) return true;
    if (x < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
