// What the API asks of the feed. The live feed computes every page at request time (live-index.ts);
// the cached feed serves worker-built lists from Redis, re-checks each card at read time, and falls
// back to the live feed when fewer than a page remain.
import type { Redis } from 'ioredis';
import { notFound } from './errors.js';
import type { LiveIndex } from './live-index.js';
import { liveFeed } from './feed-live.js';
import { type CardSource, type PageCard, buryCards, writeCards } from './cards.js';
import { rows } from './db.js';
import { type Exclusion, type RankedList, dropLists, readPage, recordExclusions, writeLists } from './feed-store.js';
import { pageBody } from './feed-rank.js';
import { mutual } from './matching/compatible.js';
import { type Body, type PageCards, newClaim, putRendered, readRendered } from './rendered-pages.js';
import { toProfile } from './profile.js';

/** A card on a page: the public card's JSON as the API shows it, without the score (feed-rank.ts adds it). */
export interface PageEntry {
  id: number;
  json: string;
}

export interface FeedPage {
  /** Best first (empty for a page served rendered). */
  cards: PageEntry[];
  source: 'cache' | 'live';
  generatedAt: Date;
  /** The response body (UTF-8 bytes when the page was rendered already, rendered-pages.ts). */
  body?: string | Body;
  /** Served as stored, without reading the list (for metrics). */
  rendered?: boolean;
}

export interface Feed {
  page(userId: number, limit: number): Promise<FeedPage>;
  /** A profile was created or its preferences changed: the very next page must reflect it. */
  profileChanged(userId: number): Promise<void>;
  /** userId liked or passed otherId (committed in Postgres by transaction `xid`). */
  swiped(userId: number, otherId: number, kind: 'like' | 'pass', xid: string): Promise<void>;
  /** userId blocked (or reported) otherId, committed by transaction `xid`. */
  blocked(userId: number, otherId: number, xid: string): Promise<void>;
  /** The account was erased (committed): nobody's page may show it again. */
  erased(userId: number): Promise<void>;
}

/** Where feeds come from and go: Postgres (through the live index) and the Redis lists. */
export interface FeedStore {
  live: LiveIndex;
  redis: Redis;
  prefix: string;
  cacheSize: number;
}

async function livePage(live: LiveIndex, userId: number, limit: number): Promise<FeedPage> {
  const found = await liveFeed(live, userId, limit);
  if (!found) throw notFound(`User ${userId}`);
  const cards = found.map(({ score: _, ...card }) => ({ id: card.id, json: JSON.stringify(card) }));
  return { cards, source: 'live', generatedAt: new Date() };
}

/** No cache: every page computed at request time. */
export function createLiveFeed(live: LiveIndex): Feed {
  return {
    page: (userId, limit) => livePage(live, userId, limit),
    async profileChanged() {},
    async swiped() {},
    async blocked() {},
    async erased() {},
  };
}

/** A row of sql/queries/user_card(s).sql as what a card is written from. */
const cardSourceOf = (row: Record<string, any>): CardSource => ({ ...toProfile(row), version: Number(row.version), shown: row.shown });

/** Recomputes one user's list (the live path, cache-sized; ranks only) and writes it with their card. */
export async function refreshUserList(s: FeedStore, userId: number): Promise<{ list: RankedList; swipedMe: Set<number> }> {
  const [[row], top] = await Promise.all([rows(s.live.db, 'user_card', [userId]), s.live.topK(userId, s.cacheSize)]);
  if (!row || !top) throw notFound(`User ${userId}`);
  const found = top.ranked;
  const list: RankedList = {
    xmin: top.xmin,
    ownerVersion: top.version,
    generatedAt: Date.now(),
    complete: found.length < s.cacheSize,
    ids: Int32Array.from(found, (r) => r.id),
    scores: Int32Array.from(found, (r) => r.score),
  };
  await writeCards(s.redis, s.prefix, [cardSourceOf(row)]);
  await writeLists(s.redis, s.prefix, [[userId, list]]);
  return { list, swipedMe: top.swipedMe };
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

  // Redis is a cache: when a write after a commit fails, Postgres still has the truth. The users
  // whose cached list may now lack an exclusion are served live, and their lists are dropped as
  // soon as Redis answers again; cards that may be stale are rewritten from Postgres.
  const suspects = new Set<number>();
  const staleCards = new Set<number>();
  let mending: NodeJS.Timeout | undefined;
  const mend = async () => {
    const lists = [...suspects];
    await dropLists(redis, prefix, lists);
    for (const uid of lists) suspects.delete(uid);
    const ids = [...staleCards].slice(0, 1000);
    if (!ids.length) return;
    const found = await rows(o.live.db, 'user_cards', [ids]);
    await writeCards(redis, prefix, found.map(cardSourceOf));
    const present = new Set(found.map((row) => row.id as number));
    await buryCards(redis, prefix, ids.filter((id) => !present.has(id)));
    for (const id of ids) staleCards.delete(id);
  };
  const mendLater = () => {
    mending ??= setTimeout(() => {
      mend()
        .catch((err) => o.onError?.(err))
        .finally(() => {
          mending = undefined;
          if (suspects.size || staleCards.size) mendLater();
        });
    }, 500);
    mending.unref?.();
  };
  const failed = (err: unknown, lists: number[], cards: number[] = []) => {
    o.onError?.(err);
    for (const uid of lists) suspects.add(uid);
    for (const id of cards) staleCards.add(id);
    mendLater();
  };
  const missingCard = (id: number) => {
    if (staleCards.size >= 100_000) return;
    staleCards.add(id);
    mendLater();
  };
  // The exclusions of the swipes and blocks that committed in one turn of the event loop go to Redis
  // in one pipeline, not one each. Every caller still waits until its own are recorded (or its users
  // are marked suspect), so no answer goes out before that.
  let pending: Exclusion[] | undefined;
  let written = Promise.resolve();
  const exclude = (events: Exclusion[]): Promise<void> => {
    if (!pending) {
      const batch: Exclusion[] = (pending = []);
      written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        pending = undefined;
        return recordExclusions(redis, prefix, batch).catch((err) => failed(err, batch.flatMap((e) => [e.from, e.to])));
      });
    }
    pending.push(...events);
    return written;
  };

  return {
    async page(userId, limit) {
      const cached = suspects.has(userId)
        ? { refresh: false }
        : await fromCache(userId, limit).catch((err) => {
            o.onError?.(err);
            return { refresh: false };
          });
      if ('cards' in cached) return cached;
      const page = await livePage(o.live, userId, limit);
      if (cached.refresh) refreshLater(userId);
      return page;
    },
    async profileChanged(userId) {
      await refreshUserList(o, userId).catch((err) => failed(err, [], [userId]));
      await o.onProfileChange?.(userId).catch((err) => o.onError?.(err));
    },
    swiped: (userId, otherId, kind, xid) => exclude([{ kind, from: userId, to: otherId, xid }]),
    blocked: (userId, otherId, xid) => exclude([{ kind: 'block', from: userId, to: otherId, xid }]),
    async erased(userId) {
      await buryCards(redis, prefix, [userId])
        .then(() => dropLists(redis, prefix, [userId]))
        .catch((err) => failed(err, [userId], [userId]));
    },
  };

  /**
   * The page from the cached list, or whether the list is worth recomputing: it is missing, or it
   * ran down. A complete list (everyone eligible when it was built) that is short is left alone
   * unless it is old: the live page is exact anyway, and recomputing would find the same few.
   */
  async function fromCache(userId: number, limit: number): Promise<FeedPage | { refresh: boolean }> {
    // A rendered page skips the age check below: the next read that renders (within the page's TTL) does it.
    const body = await readRendered(redis, prefix, userId, limit);
    if (body !== undefined) return { cards: [], source: 'cache', generatedAt: new Date(0), body, rendered: true };
    const claim = newClaim();
    const first = await readPage(redis, prefix, userId, 0, limit + 4, claim);
    if (!first?.me) return { refresh: true };
    const refresh = { refresh: !first.complete || Date.now() - first.generatedAt > COMPLETE_LIST_TTL_MS };
    if (first.entries.length + first.remaining < limit) return refresh;
    const me: PageCard = first.me;
    const cards: PageEntry[] = [];
    // What the page depends on besides the list and exclusions: every card read up to its last.
    const read: PageCards = [[userId, first.meVersion]];
    // Usually one read: a page plus a small margin for cards no longer eligible by the current
    // profiles on both sides, which are dropped here.
    for (let chunk = first, skip = 0; ; ) {
      for (const { id, card, version } of chunk.entries) {
        if (cards.length === limit) break;
        read.push([id, version]);
        // A card Redis lost (a restart, an eviction) is written again from Postgres, in the background.
        if (card === undefined) missingCard(id);
        // Only people shown to others (not paused, suspended or erased) who still fit both ways now.
        else if (card?.s && mutual(me.m, card.m)) cards.push({ id, json: card.json });
      }
      if (cards.length === limit) {
        const page: FeedPage = { cards, source: 'cache', generatedAt: new Date(first.generatedAt) };
        const body = (page.body = pageBody(userId, page));
        await putRendered(redis, prefix, userId, claim, limit, read, body).catch((err) => o.onError?.(err));
        return page;
      }
      if (chunk.remaining === 0) return refresh;
      skip += chunk.entries.length;
      const next = await readPage(redis, prefix, userId, skip, limit - cards.length + 4);
      if (!next) return { refresh: true };
      chunk = next;
    }
  }
}
