// The ranking's swipe counters (sql/migrations/0005_relevance.sql): swipes append deltas, these
// fold them into swipe_counts. Folding runs before each full rebuild, so lists and the live index
// learn from the day's swipes once a night, as the rebuild does (a reload per fold would cost a
// full read of the users at every pass).
import { type Db, type Pool, rows, withTransaction } from './db.js';
import { BULK_LOADED } from './live-index.js';

/** Deltas per fold statement: about a second's work at 1M users, far inside the statement timeout. */
const FOLD_CHUNK = 100_000;
/** User ids per reach promotion statement (each moves at most this many users' reach). */
const PROMOTE_IDS = 100_000;

/**
 * Before a full rebuild: adds the pending deltas into the counters, `chunk` at a time (each chunk its
 * own statement and transaction), and moves in the reach the previous rebuild counted
 * (sql/migrations/0010_reach.sql), `promoteIds` user ids a statement; when anything changed, live
 * indexes reload to rank with it.
 * Returns how many counter rows were written (a user whose deltas fell in several chunks counts in
 * each) plus how many users' reach moved in.
 */
export async function foldSwipeCounts(db: Db, chunk = FOLD_CHUNK, promoteIds = PROMOTE_IDS): Promise<number> {
  let users = 0;
  for (;;) {
    const [r] = await rows<{ users: number; deltas: number }>(db, 'fold_swipe_counts', [chunk]);
    users += r!.users;
    if (r!.deltas < chunk) break;
  }
  const reached = await promoteReach(db, promoteIds);
  if (users + reached > 0) await db.query('select pg_notify($1, $2)', [BULK_LOADED, 'swipe_counts']);
  return users + reached;
}

/**
 * Moves in the reach the previous rebuild counted, `span` user ids a statement (ids come from a
 * sequence, so the ranges are dense: about N / span statements); returns how many users' reach moved.
 */
async function promoteReach(db: Db, span: number): Promise<number> {
  const [range] = await rows<{ lo: number | null; hi: number | null }>(db, 'reach_id_range');
  let moved = 0;
  if (range?.lo == null || range.hi == null) return moved;
  for (const [from, to] of idRanges(range.lo, range.hi, span)) moved += (await rows<{ users: number }>(db, 'promote_reach', [from, to]))[0]!.users;
  return moved;
}

/** lo..hi (inclusive) cut into consecutive ranges [from, to] of at most `span` ids. */
export function idRanges(lo: number, hi: number, span: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = lo; from <= hi; from += span) out.push([from, Math.min(hi, from + span - 1)]);
  return out;
}

/** Reach a rebuild counted (parts per million, shared/matching/reach.ts), for the next one to move in; at most `chunk` users a statement. */
export async function queueReach(db: Db, ids: readonly number[], ppm: readonly number[], chunk = 10_000): Promise<void> {
  for (let i = 0; i < ids.length; i += chunk) await rows(db, 'queue_reach', [ids.slice(i, i + chunk), ppm.slice(i, i + chunk)]);
}

/** Recomputes every counter from the swipes table (after a bulk load, or to repair); live indexes reload. */
export async function recountSwipeCounts(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read');
    await rows(client, 'recount_swipe_counts');
    await client.query('select pg_notify($1, $2)', [BULK_LOADED, 'swipe_counts']);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
