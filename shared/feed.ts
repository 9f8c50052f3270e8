// What the API asks of the feed. The live implementation reads Postgres on every request; the cached
// one (worker-built lists in Redis) keeps the same promises and falls back to the live one.
import type { Db } from './db.js';
import { type ScoredCard, liveFeed } from './feed-live.js';

export interface FeedPage {
  cards: ScoredCard[];
  source: 'cache' | 'live' | 'cache+live';
  generatedAt: Date;
}

export interface Feed {
  page(userId: number, limit: number): Promise<FeedPage>;
  /** A profile was created or its preferences changed: the very next page must reflect it. */
  profileChanged(userId: number): Promise<void>;
  /** userId liked or passed otherId (already committed in Postgres). */
  swiped(userId: number, otherId: number): Promise<void>;
}

export function createLiveFeed(db: Db): Feed {
  return {
    async page(userId, limit) {
      return { cards: await liveFeed(db, userId, limit), source: 'live', generatedAt: new Date() };
    },
    async profileChanged() {},
    async swiped() {},
  };
}
