// Likes, passes and matches: each swipe is one transaction, serialised per pair of people.
import { type Db, type Pool, pgErrorCode, rows, withTransaction } from './db.js';
import { AppError, notFound } from './errors.js';
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

// The swipe's insert is the first write to name the other user: its foreign key tells us they do not exist.
// A change also appends the ranking's counter deltas (insert-only: no lock on the swipee's row).
async function upsertSwipe(tx: Db, userId: number, otherId: number, kind: 'like' | 'pass'): Promise<boolean> {
  let changed: { inserted: boolean }[];
  try {
    changed = await rows(tx, 'upsert_swipe', [userId, otherId, kind]);
  } catch (err) {
    if (pgErrorCode(err) === '23503') throw notFound(`User ${otherId}`);
    throw err;
  }
  if (changed.length) await rows(tx, 'add_swipe_counts', [userId, otherId, kind, changed[0]!.inserted]);
  return changed.length > 0;
}

export async function like(pool: Pool, userId: number, otherId: number): Promise<LikeResult> {
  checkPair(userId, otherId);
  return withTransaction(pool, async (tx) => {
    await rows(tx, 'lock_pair', [userId, otherId]);
    const created = await upsertSwipe(tx, userId, otherId, 'like');
    const [{ xid }] = await rows(tx, 'touch_user', [userId]);
    const [match] = await rows<{ matched_at: Date }>(tx, 'match_if_mutual', [userId, otherId]);
    return { created, matched: match !== undefined, matchedAt: match?.matched_at ?? null, xid };
  });
}

/** A pass: withdraws a like and dissolves a match. Repeating it changes nothing. */
export async function pass(pool: Pool, userId: number, otherId: number): Promise<{ unmatched: boolean; xid: string }> {
  checkPair(userId, otherId);
  return withTransaction(pool, async (tx) => {
    await rows(tx, 'lock_pair', [userId, otherId]);
    await upsertSwipe(tx, userId, otherId, 'pass');
    const [{ xid }] = await rows(tx, 'touch_user', [userId]);
    const dissolved = await rows(tx, 'delete_match', [userId, otherId]);
    return { unmatched: dissolved.length > 0, xid };
  });
}

export async function listMatches(db: Db, userId: number): Promise<{ user: Card; matched_at: string }[]> {
  const found = await rows(db, 'list_matches', [userId]);
  return found.map((r) => ({ user: toCard(r), matched_at: (r.matched_at as Date).toISOString() }));
}
