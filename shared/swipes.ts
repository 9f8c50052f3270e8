// Likes, passes and matches: each swipe is one statement and one transaction, serialised per pair of people.
import { type Db, type Pool, pgErrorCode, preparedRows, rows } from './db.js';
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

interface SwipeRow {
  created: boolean;
  matched: boolean;
  matched_at: Date | null;
  unmatched: boolean;
  xid: string;
}

// One statement, its own transaction (sql/migrations/0007_swipe_function.sql): the pair's lock, the
// swipe, its counter deltas, the match. The swipe's insert is the first write to name the other user:
// its foreign key tells us they do not exist.
async function swipe(pool: Pool, userId: number, otherId: number, kind: 'like' | 'pass'): Promise<SwipeRow> {
  checkPair(userId, otherId);
  try {
    const [row] = await preparedRows<SwipeRow>(pool, 'swipe', [userId, otherId, kind]);
    return row!;
  } catch (err) {
    if (pgErrorCode(err) === '23503') throw notFound(`User ${otherId}`);
    throw err;
  }
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
