// The incremental pass: users created or changed since the last pass get their own list recomputed,
// and are offered to the lists of the people they fit best (their own top K: eligibility is
// symmetric, and fit counts both ways), scored as those people would rank them, so a new user shows up in others' feeds within a pass instead of after the nightly
// rebuild. Idempotent: a retry redoes the same users from the same cursor.
//
// It reads the same change stream as the live index (users.change_xid, see shared/live-index.ts)
// from a cursor kept in Postgres: a chain of passes works through the changes its watermark (a
// snapshot) did not see, in (change_xid, id) order, BATCH users a pass, and when it reaches the end
// the watermark moves to the snapshot that began the chain. A full rebuild moves it too.
//
// While a full rebuild runs, passes wait: it ranks every user who changed before it began, on the
// same cores, and ranking them twice slowed a 1M rebuild by a fifth. When it completes it moves the
// watermark past what it covered, and the next pass takes the rest. A run older than
// WAIT_FOR_REBUILD_MS no longer holds passes back, so a stuck run cannot stop them.
import type { Job } from 'bullmq';
import { type Db, type Pool, rows, withTransaction } from '../../shared/db.js';
import { type FeedStore, refreshUserList } from '../../shared/feed.js';
import { mergeEntries } from '../../shared/feed-store.js';
import type { Weights } from '../../shared/matching/score.js';
import { offerScores } from '../../shared/offer-scores.js';
import type { Queues } from '../../shared/queues.js';
import { runningRebuild } from '../../shared/rebuild.js';

const BATCH = 2000;
/** More changes than this (a bulk load) are left to a full rebuild: a pass per 2,000 would take hours. */
const MAX_CHAIN = 50_000;
export const CURSOR = 'incremental';
export const WAIT_FOR_REBUILD_MS = 10 * 60_000;
/** Users between two looks at whether a rebuild has begun: a pass of 2,000 takes seconds at 1M. */
const LOOK_EVERY = 50;
const LOAD_LOOK_MS = 250;

/** Whether passes should wait now: a full rebuild is running, and began less than WAIT_FOR_REBUILD_MS ago. */
export const rebuildHoldsPasses = (queues: Queues) => async () => {
  const run = await runningRebuild(queues);
  return run !== undefined && Date.now() - run.startedAt < WAIT_FOR_REBUILD_MS;
};

interface Cursor {
  watermark: string;
  chain_snapshot: string | null;
  after_xid: string | null;
  after_id: number | null;
}

/** A full rebuild covered every change below `xmin`: the next pass starts from there. */
export async function coverUntil(db: Db, xmin: string): Promise<void> {
  await rows(db, 'advance_cursor', [CURSOR, xmin]);
}

export function incrementalProcessor(deps: FeedStore & { db: Pool; weights?: Weights; rebuildRunning?: () => Promise<boolean> }) {
  const held = deps.rebuildRunning ?? (async () => false);
  return async (_job: Job) => {
    if (await held()) return { users: 0, offered: 0, more: false, waited: 'a full rebuild is running' };
    const read = await withTransaction(
      deps.db,
      async (tx) => {
        const [{ snapshot }] = await rows(tx, 'snapshot_xmin');
        const [cursor] = await rows<Cursor>(tx, 'get_cursor', [CURSOR]);
        if (!cursor) return { snapshot: snapshot as string, cursor, changed: [] };
        if (!cursor.after_xid) {
          const [{ n }] = await rows(tx, 'count_changed', [cursor.watermark, MAX_CHAIN + 1]);
          if (n > MAX_CHAIN) return { snapshot: snapshot as string, cursor, changed: [], skipped: true };
        }
        const changed = await rows<{ id: number; change_xid: string; present: boolean; shown: boolean }>(tx, 'changed_since', [
          cursor.watermark, cursor.after_xid ?? '0', cursor.after_id ?? 0, BATCH,
        ]);
        return { snapshot: snapshot as string, cursor, changed };
      },
      'snapshot',
    );
    // First pass ever, or a bulk load: what came before is a full rebuild's to cover.
    if (!read.cursor || 'skipped' in read) {
      await rows(deps.db, 'set_cursor', [CURSOR, read.snapshot, null, null, null]);
      return { users: 0, offered: 0, more: false, ...('skipped' in read ? { skipped: `over ${MAX_CHAIN} changes: left to the full rebuild (npm run rebuild, or the nightly one)` } : {}) };
    }
    // The first ranking loads the live index: seconds of a core and hundreds of MB at 1M. A rebuild that
    // begins meanwhile makes the load moot (this pass would stop anyway): it is given up, not finished.
    if (!deps.live.loaded && read.changed.some((r) => r.present)) {
      const loaded = deps.live.ready().then(() => true, () => true);
      do {
        if (await held()) {
          deps.live.abandonLoad();
          return { users: 0, offered: 0, more: true, waited: 'a full rebuild began while the live index loaded' };
        }
      } while (!(await Promise.race([loaded, new Promise<false>((r) => setTimeout(r, LOAD_LOOK_MS, false))])));
    }
    let offered = 0;
    let users = 0;
    let done = 0;
    for (const r of read.changed) {
      if (done > 0 && done % LOOK_EVERY === 0 && (await held())) break;
      done++;
      if (!r.present) continue; // erased: their card is a tombstone already
      users++;
      const { list, swipedMe } = await refreshUserList(deps, r.id);
      if (!r.shown) continue; // paused or suspended: nobody else's list gets them
      // Someone who already swiped on me must not be shown me again; the bonus is theirs to get, not mine.
      const others = Array.from(list.ids).filter((other) => !swipedMe.has(other));
      const scores = await offerScores(deps.db, r.id, others, new Set(), deps.weights);
      const entries = others.flatMap((other): [number, number, number][] => (scores.has(other) ? [[other, r.id, scores.get(other)!]] : []));
      await mergeEntries(deps.redis, deps.prefix, entries, deps.cacheSize, list.xmin);
      offered += entries.length;
    }
    const stopped = done < read.changed.length;
    const more = stopped || read.changed.length === BATCH;
    const chainSnapshot = read.cursor.chain_snapshot ?? read.snapshot;
    const last = read.changed[done - 1];
    if (more) await rows(deps.db, 'set_cursor', [CURSOR, read.cursor.watermark, chainSnapshot, last!.change_xid, last!.id]);
    else await rows(deps.db, 'set_cursor', [CURSOR, chainSnapshot, null, null, null]);
    return { users, offered, more, ...(stopped ? { waited: 'a full rebuild began' } : {}) };
  };
}
