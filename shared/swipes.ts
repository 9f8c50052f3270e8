// Likes, passes and matches: each swipe is committed before it is answered, serialised per pair of
// people, alone or with the swipes that arrived with it (swipe-batches.ts).
import { type Db, type Pool, rows } from './db.js';
import { AppError } from './errors.js';
import { type SwipeKind, type SwipeRow, type SwipeWriter, createSwipeWriter } from './swipe-batches.js';
import { type Card, toCard } from './profile.js';

export interface LikeResult {
  created: boolean;
  matched: boolean;
  matchedAt: Date | null;
  /** The transaction's xid8: the version of what the swipe writes to Redis. */
  xid: string;
}

function checkPair(userId: number, otherId: number) {
  if (userId === otherId) throw new AppError('SELF_SWIPE', 'You cannot swipe on yourself.');
}

// The pool's swipe writer: swipes that arrive together share a transaction (swipe-batches.ts).
const writers = new WeakMap<Pool, SwipeWriter>();
function swipe(pool: Pool, userId: number, otherId: number, kind: SwipeKind): Promise<SwipeRow> {
  checkPair(userId, otherId);
  let writer = writers.get(pool);
  if (!writer) writers.set(pool, (writer = createSwipeWriter(pool)));
  return writer.write(userId, otherId, kind);
}

export async function like(pool: Pool, userId: number, otherId: number): Promise<LikeResult> {
  const r = await swipe(pool, userId, otherId, 'like');
  return { created: r.created, matched: r.matched, matchedAt: r.matched_at, xid: r.xid };
}

/** A pass: withdraws a like and dissolves a match. Repeating it changes nothing. */
export async function pass(pool: Pool, userId: number, otherId: number): Promise<{ unmatched: boolean; xid: string }> {
  const r = await swipe(pool, userId, otherId, 'pass');
  return { unmatched: r.unmatched, xid: r.xid };
}

export async function listMatches(db: Db, userId: number): Promise<{ user: Card; matched_at: string }[]> {
  const found = await rows(db, 'list_matches', [userId]);
  return found.map((r) => ({ user: toCard(r), matched_at: (r.matched_at as Date).toISOString() }));
}
