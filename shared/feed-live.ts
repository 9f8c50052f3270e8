// The live feed: computed in Postgres at request time (cold start, and refill of a short cached list).
import { type Db, rows } from './db.js';
import { LIKED_YOU_BONUS, SCORE_BASE } from './matching/score.js';
import { type Card, toCard } from './profile.js';

export type ScoredCard = Card & { score: number };

export async function liveFeed(db: Db, userId: number, limit: number): Promise<ScoredCard[]> {
  const found = await rows(db, 'live_feed', [userId, limit, SCORE_BASE, LIKED_YOU_BONUS]);
  return found.map((r) => ({ ...toCard(r), score: Number(r.score) }));
}
