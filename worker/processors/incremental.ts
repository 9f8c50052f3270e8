// The incremental pass: users created or changed since the last pass get their own list recomputed,
// and are offered to the lists of the people they fit best (their own top K: the fit distance is
// symmetric), so a new user shows up in others' feeds within a pass instead of after the nightly
// rebuild. Idempotent: a retry redoes the same users from the same watermark.
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Pool, rows } from '../../shared/db.js';
import { type FeedStore, refreshUserList } from '../../shared/feed.js';
import { mergeEntries } from '../../shared/feed-store.js';
import { FAIR } from '../../shared/matching/score.js';

const LIKED_YOU_BONUS = FAIR.likedYouBonus;

const BATCH = 2000;

export const watermarkKey = (prefix: string) => `${prefix}:incremental:watermark`;

// The watermark is in µs, the precision of updated_at.
/** A full rebuild covers every change made before it read Postgres: move the watermark up to then. */
export async function coverUntil(redis: Redis, prefix: string, ms: number): Promise<void> {
  const current = Number((await redis.get(watermarkKey(prefix))) ?? 0);
  if (ms * 1000 > current) await redis.set(watermarkKey(prefix), String(ms * 1000));
}

export function incrementalProcessor(deps: FeedStore & { db: Pool }) {
  const key = watermarkKey(deps.prefix);
  return async (_job: Job) => {
    const mark = await deps.redis.get(key);
    // First pass ever: what came before is the full rebuild's to cover.
    if (mark === null) {
      await deps.redis.set(key, String(Date.now() * 1000));
      return { users: 0, offered: 0, more: false };
    }
    const changed = await rows<{ id: number; changed_us: string }>(deps.db, 'changed_users', [mark, BATCH]);
    let offered = 0;
    for (const { id } of changed) {
      const list = await refreshUserList(deps, id);
      const swipes = await rows<{ other_id: number; outgoing: boolean; kind: string }>(deps.db, 'swipes_touching', [id]);
      const swipedMe = new Set(swipes.filter((s) => !s.outgoing).map((s) => s.other_id));
      const likedByMe = new Set(swipes.filter((s) => s.outgoing && s.kind === 'like').map((s) => s.other_id));
      const entries: [number, number, number][] = [];
      list.ids.forEach((other, i) => {
        // Someone who already swiped on me must not be shown me again; the bonus is theirs to get, not mine.
        if (swipedMe.has(other)) return;
        const fit = list.scores[i]!; // no bonus: they did not like me (else swipedMe)
        entries.push([other, id, fit + (likedByMe.has(other) ? LIKED_YOU_BONUS : 0)]);
      });
      await mergeEntries(deps.redis, deps.prefix, entries, deps.cacheSize);
      offered += entries.length;
    }
    const last = changed.at(-1);
    if (last) await deps.redis.set(key, last.changed_us);
    return { users: changed.length, offered, more: changed.length === BATCH };
  };
}
