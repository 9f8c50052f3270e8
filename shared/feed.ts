// What the API asks of the feed. The live feed reads Postgres on every request; the cached feed
// serves worker-built lists from Redis, re-checks each card at read time, and falls back to live.
import type { Redis } from 'ioredis';
import type { Db } from './db.js';
import { type ScoredCard, liveFeed } from './feed-live.js';
import { type RankedList, readCards, readList, recordSwipe, writeCards, writeLists } from './feed-store.js';
import { mutual } from './matching/compatible.js';
import { getUser } from './users.js';

export interface FeedPage {
  cards: ScoredCard[];
  source: 'cache' | 'live';
  generatedAt: Date;
}

export interface Feed {
  page(userId: number, limit: number): Promise<FeedPage>;
  /** A profile was created or its preferences changed: the very next page must reflect it. */
  profileChanged(userId: number): Promise<void>;
  /** userId liked or passed otherId (already committed in Postgres). */
  swiped(userId: number, otherId: number, kind: 'like' | 'pass'): Promise<void>;
}

const live = async (db: Db, userId: number, limit: number): Promise<FeedPage> => ({
  cards: await liveFeed(db, userId, limit),
  source: 'live',
  generatedAt: new Date(),
});

export function createLiveFeed(db: Db): Feed {
  return {
    page: (userId, limit) => live(db, userId, limit),
    async profileChanged() {},
    async swiped() {},
  };
}

/** Recomputes one user's list (the live query, cache-sized) and card. */
export async function refreshUserList(db: Db, redis: Redis, prefix: string, userId: number, size: number): Promise<RankedList> {
  const generatedAt = Date.now();
  const [user, cards] = await Promise.all([getUser(db, userId), liveFeed(db, userId, size)]);
  const list: RankedList = {
    generatedAt,
    complete: cards.length < size,
    ids: Int32Array.from(cards, (c) => c.id),
    scores: Int32Array.from(cards, (c) => c.score),
  };
  await writeCards(redis, prefix, [user]);
  await writeLists(redis, prefix, [[userId, list]]);
  return list;
}

export interface CachedFeedOptions {
  db: Db;
  redis: Redis;
  prefix: string;
  cacheSize: number;
  onError?: (err: unknown) => void;
  /** After a profile change: have the others' lists catch up (the incremental pass). */
  onProfileChange?: (userId: number) => Promise<void>;
}

export function createCachedFeed(o: CachedFeedOptions): Feed {
  const { db, redis, prefix } = o;
  const refreshing = new Set<number>();
  // A missing or run-down list is rebuilt in the background, once at a time per user.
  const refreshLater = (userId: number) => {
    if (refreshing.has(userId)) return;
    refreshing.add(userId);
    refreshUserList(db, redis, prefix, userId, o.cacheSize)
      .catch((err) => o.onError?.(err))
      .finally(() => refreshing.delete(userId));
  };

  return {
    async page(userId, limit) {
      const cached = await fromCache(userId, limit).catch((err) => void o.onError?.(err));
      if (cached) return cached;
      refreshLater(userId);
      return live(db, userId, limit);
    },
    // Redis is a cache: when it fails, Postgres still has the truth, so log and carry on.
    async profileChanged(userId) {
      await refreshUserList(db, redis, prefix, userId, o.cacheSize).catch((err) => o.onError?.(err));
      await o.onProfileChange?.(userId).catch((err) => o.onError?.(err));
    },
    async swiped(userId, otherId, kind) {
      await recordSwipe(redis, prefix, userId, otherId, kind).catch((err) => o.onError?.(err));
    },
  };

  async function fromCache(userId: number, limit: number): Promise<FeedPage | undefined> {
      const { list, hidden } = await readList(redis, prefix, userId);
      if (list) {
        const ids = Array.from(list.ids).filter((id) => !hidden.has(id));
        const scoreOf = new Map(Array.from(list.ids, (id, i) => [id, list.scores[i]!]));
        const cards: ScoredCard[] = [];
        const [me] = await readCards(redis, prefix, [userId]);
        // Cards are read a page (plus a margin) at a time; anyone no longer eligible is dropped.
        for (let at = 0; me && at < ids.length && cards.length < limit; ) {
          const chunk = ids.slice(at, at + limit - cards.length + 8);
          at += chunk.length;
          for (const c of await readCards(redis, prefix, chunk)) {
            if (c && mutual(me.m, c.m) && cards.length < limit) cards.push({ ...c.card, score: scoreOf.get(c.card.id)! });
          }
        }
        if (cards.length === limit) return { cards, source: 'cache', generatedAt: new Date(list.generatedAt) };
      }
      return undefined;
  }
}
