// What the API asks of the feed. The live feed computes every page at request time (live-index.ts);
// the cached feed serves worker-built lists from Redis, re-checks each card at read time, and falls
// back to the live feed when fewer than a page remain.
import type { Redis } from 'ioredis';
import { notFound } from './errors.js';
import type { LiveIndex } from './live-index.js';
import { type ScoredCard, liveFeed } from './feed-live.js';
import { type CachedCard, type RankedList, readPage, recordSwipe, writeCards, writeLists } from './feed-store.js';
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

/** Where feeds come from and go: Postgres (through the live index) and the Redis lists. */
export interface FeedStore {
  live: LiveIndex;
  redis: Redis;
  prefix: string;
  cacheSize: number;
}

async function livePage(live: LiveIndex, userId: number, limit: number): Promise<FeedPage> {
  const cards = await liveFeed(live, userId, limit);
  if (!cards) throw notFound(`User ${userId}`);
  return { cards, source: 'live', generatedAt: new Date() };
}

/** No cache: every page computed at request time. */
export function createLiveFeed(live: LiveIndex): Feed {
  return {
    page: (userId, limit) => livePage(live, userId, limit),
    async profileChanged() {},
    async swiped() {},
  };
}

/** Recomputes one user's list (the live path, cache-sized; ranks only, the cards are cached apart) and card. */
export async function refreshUserList(s: FeedStore, userId: number): Promise<RankedList> {
  const generatedAt = Date.now();
  const [user, ranked] = await Promise.all([getUser(s.live.db, userId), s.live.topK(userId, s.cacheSize)]);
  const found = ranked ?? []; // getUser already failed for a user that does not exist
  const list: RankedList = {
    generatedAt,
    complete: found.length < s.cacheSize,
    ids: Int32Array.from(found, (r) => r.id),
    scores: Int32Array.from(found, (r) => r.score),
  };
  await writeCards(s.redis, s.prefix, [user]);
  await writeLists(s.redis, s.prefix, [[userId, list]]);
  return list;
}

/** A complete but short list is recomputed after this long, to pick up people who joined since. */
const COMPLETE_LIST_TTL_MS = 10 * 60_000;

export interface CachedFeedOptions extends FeedStore {
  onError?: (err: unknown) => void;
  /** After a profile change: have the others' lists catch up (the incremental pass). */
  onProfileChange?: (userId: number) => Promise<void>;
}

export function createCachedFeed(o: CachedFeedOptions): Feed {
  const { redis, prefix } = o;
  const refreshing = new Set<number>();
  // A missing or run-down list is rebuilt in the background, once at a time per user.
  const refreshLater = (userId: number) => {
    if (refreshing.has(userId)) return;
    refreshing.add(userId);
    refreshUserList(o, userId)
      .catch((err) => o.onError?.(err))
      .finally(() => refreshing.delete(userId));
  };

  return {
    async page(userId, limit) {
      const cached = await fromCache(userId, limit).catch((err) => {
        o.onError?.(err);
        return { refresh: false };
      });
      if ('cards' in cached) return cached;
      const page = await livePage(o.live, userId, limit);
      if (cached.refresh) refreshLater(userId);
      return page;
    },
    // Redis is a cache: when it fails, Postgres still has the truth, so log and carry on.
    async profileChanged(userId) {
      await refreshUserList(o, userId).catch((err) => o.onError?.(err));
      await o.onProfileChange?.(userId).catch((err) => o.onError?.(err));
    },
    async swiped(userId, otherId, kind) {
      await recordSwipe(redis, prefix, userId, otherId, kind).catch((err) => o.onError?.(err));
    },
  };

  /**
   * The page from the cached list, or whether the list is worth recomputing: it is missing, or it
   * ran down. A complete list (everyone eligible when it was built) that is short is left alone
   * unless it is old: the live page is exact anyway, and recomputing would find the same few.
   */
  async function fromCache(userId: number, limit: number): Promise<FeedPage | { refresh: boolean }> {
    const first = await readPage(redis, prefix, userId, 0, limit + 4);
    if (!first?.me) return { refresh: true };
    const refresh = { refresh: !first.complete || Date.now() - first.generatedAt > COMPLETE_LIST_TTL_MS };
    if (first.entries.length + first.remaining < limit) return refresh;
    const me: CachedCard = first.me;
    const cards: ScoredCard[] = [];
    // Usually one read: a page plus a small margin for cards no longer eligible by the current
    // profiles on both sides, which are dropped here.
    for (let read = first, skip = 0; ; ) {
      for (const { card, score } of read.entries) {
        if (card && cards.length < limit && mutual(me.m, card.m)) cards.push({ ...card.card, score });
      }
      if (cards.length === limit) return { cards, source: 'cache', generatedAt: new Date(first.generatedAt) };
      if (read.remaining === 0) return refresh;
      skip += read.entries.length;
      const next = await readPage(redis, prefix, userId, skip, limit - cards.length + 4);
      if (!next) return { refresh: true };
      read = next;
    }
  }
}
