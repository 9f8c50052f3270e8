// The incremental pass: users created or changed since the last pass get their own list recomputed,
// and are offered to the lists of the people they fit best (their own top K: eligibility is
// symmetric, and fit counts both ways), scored as those people would rank them, so a new user shows up in others' feeds within a pass instead of after the nightly
// rebuild. Idempotent: a retry redoes the same users from the same watermark.
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Pool, rows } from '../../shared/db.js';
import { type FeedStore, refreshUserList } from '../../shared/feed.js';
import { mergeEntries } from '../../shared/feed-store.js';
import type { Weights } from '../../shared/matching/score.js';
import { offerScores } from '../../shared/offer-scores.js';

const BATCH = 2000;

export const watermarkKey = (prefix: string) => `${prefix}:incremental:watermark`;

// The watermark is in µs, the precision of updated_at.
/** A full rebuild covers every change made before it read Postgres: move the watermark up to then. */
export async function coverUntil(redis: Redis, prefix: string, ms: number): Promise<void> {
  const current = Number((await redis.get(watermarkKey(prefix))) ?? 0);
  if (ms * 1000 > current) await redis.set(watermarkKey(prefix), String(ms * 1000));
}

export function incrementalProcessor(deps: FeedStore & { db: Pool; weights?: Weights }) {
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
      // Someone who already swiped on me must not be shown me again.
      const others = Array.from(list.ids).filter((other) => !swipedMe.has(other));
      const scores = await offerScores(deps.db, id, others, likedByMe, deps.weights);
      const entries: [number, number, number][] = others.flatMap((other) => (scores.has(other) ? [[other, id, scores.get(other)!] as [number, number, number]] : []));
      await mergeEntries(deps.redis, deps.prefix, entries, deps.cacheSize);
      offered += entries.length;
    }
    const last = changed.at(-1);
    if (last) await deps.redis.set(key, last.changed_us);
    return { users: changed.length, offered, more: changed.length === BATCH };
  };
}
