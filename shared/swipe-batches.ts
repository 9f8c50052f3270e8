// Group commit for swipes. A swipe that arrives while Postgres is busy with earlier ones waits for the
// next batch, and a batch is one call of swipe_batch (sql/migrations/0014): one round trip, one
// transaction, one commit for all of its swipes. Under a burst of likes most of a like's cost in
// the pg client, the kernel and Postgres's per-statement work is per call, so the burst costs a few
// calls instead of one a like. With nothing in flight a swipe goes out at once, alone, as before.
//
// What each swipe promises is unchanged: it is committed before its caller hears of it, and each
// gets its own answer or error. A batch holds a pair at most once, so within a pair every swipe
// still has its own, larger xid (feed-store.ts orders Redis writes by it). A batch that fails as a
// whole on one of its swipes (a user deleted under it) is run again one swipe at a time, and each
// swipe then fails or succeeds on its own.
import { type Pool, pgErrorCode, preparedRows } from './db.js';
import { goneCaller } from './blocks.js';
import { fromInfraError, notFound } from './errors.js';

export type SwipeKind = 'like' | 'pass';

export interface SwipeRow {
  created: boolean;
  matched: boolean;
  matched_at: Date | null;
  unmatched: boolean;
  xid: string;
}

interface Waiting {
  swiper: number;
  swipee: number;
  kind: SwipeKind;
  resolve: (row: SwipeRow) => void;
  reject: (err: unknown) => void;
}

/** How many swipes one call carries at most. */
export const MAX_BATCH = 64;
/** Calls in flight at once: while this many run, new swipes wait and join the next batch. */
export const IN_FLIGHT = 2;

export interface SwipeWriter {
  write(swiper: number, swipee: number, kind: SwipeKind): Promise<SwipeRow>;
  /** Calls made so far: batches (two swipes or more), singles, and batches run again one by one. */
  readonly stats: { batches: number; singles: number; retried: number };
}

/**
 * One swipe, its own transaction. The swipe's insert is the first write to name either user, so its
 * foreign keys say who does not exist: the swipee (404), or the caller, deleted since their token
 * was checked (401, as for a block).
 */
async function single(pool: Pool, w: Pick<Waiting, 'swiper' | 'swipee' | 'kind'>): Promise<SwipeRow> {
  try {
    const [row] = await preparedRows<SwipeRow>(pool, 'swipe', [w.swiper, w.swipee, w.kind]);
    return row!;
  } catch (err) {
    if (pgErrorCode(err) !== '23503') throw err;
    throw (err as { constraint?: string }).constraint === 'swipes_swiper_id_fkey' ? goneCaller() : notFound(`User ${w.swipee}`);
  }
}

/**
 * Whether a failed batch is worth running again one swipe at a time: it failed on one of its swipes
 * (a user deleted under it) or lost a deadlock, rather than finding Postgres away or too slow.
 */
const worthRetrying = (err: unknown) => fromInfraError(err) === undefined || /^(40001|40P01|55P03)$/.test(pgErrorCode(err) ?? '');

/** A pair of people, whoever swipes. */
export const pairKey = (w: { swiper: number; swipee: number }) => (w.swiper < w.swipee ? `${w.swiper}:${w.swipee}` : `${w.swipee}:${w.swiper}`);

/**
 * The next batch from the queue, in arrival order: at most `max` swipes, one per pair, and none of a
 * pair in `busy` (a call in flight holds it). The swipes left keep their order, so a pair's swipes
 * go out one after the other, in the order they came.
 */
export function takeBatch<T extends { swiper: number; swipee: number }>(queue: T[], busy: ReadonlySet<string> = new Set(), max = MAX_BATCH): T[] {
  const taken: T[] = [];
  const left: T[] = [];
  const pairs = new Set<string>();
  for (const w of queue) {
    const pair = pairKey(w);
    if (taken.length < max && !pairs.has(pair) && !busy.has(pair)) taken.push(w);
    else left.push(w);
    pairs.add(pair); // a pair's later swipes wait behind its earlier one, taken or not
  }
  queue.splice(0, queue.length, ...left);
  return taken;
}

export function createSwipeWriter(pool: Pool): SwipeWriter {
  const queue: Waiting[] = [];
  const stats = { batches: 0, singles: 0, retried: 0 };
  const busy = new Set<string>(); // pairs with a swipe in a call in flight
  let inFlight = 0;
  let scheduled = false;

  const one = (w: Waiting) => single(pool, w).then(w.resolve, w.reject);

  async function run(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      stats.singles++;
      return one(batch[0]!);
    }
    stats.batches++;
    let found: (SwipeRow & { n: number; created: boolean | null })[];
    try {
      found = await preparedRows(pool, 'swipe_batch', [batch.map((w) => w.swiper), batch.map((w) => w.swipee), batch.map((w) => w.kind)]);
    } catch (err) {
      // Postgres out of reach: one swipe at a time would only wait as long again for each.
      if (!worthRetrying(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      stats.retried++;
      await Promise.all(batch.map(one));
      return;
    }
    for (const row of found) {
      const w = batch[row.n - 1]!;
      if (row.created === null) w.reject(notFound(`User ${w.swipee}`));
      else w.resolve(row);
    }
  }

  // At the end of the turn, so that every swipe that arrived in it can join.
  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };
  function flush() {
    scheduled = false;
    while (queue.length > 0 && inFlight < IN_FLIGHT) {
      const batch = takeBatch(queue, busy);
      if (batch.length === 0) return; // every queued pair is in flight: the call's end schedules again
      const pairs = batch.map(pairKey);
      for (const pair of pairs) busy.add(pair);
      inFlight++;
      void run(batch).finally(() => {
        for (const pair of pairs) busy.delete(pair);
        inFlight--;
        schedule();
      });
    }
  }

  return {
    stats,
    write(swiper, swipee, kind) {
      return new Promise<SwipeRow>((resolve, reject) => {
        queue.push({ swiper, swipee, kind, resolve, reject });
        schedule();
      });
    },
  };
}
