// The live feed: exact at request time (cold start, refill of a short cached list, single-user refresh).
import { rows } from './db.js';
import type { LiveIndex } from './live-index.js';
import { type Card, toCard } from './profile.js';

export type ScoredCard = Card & { score: number };

/** The top `limit` cards for the user, or undefined when the user does not exist. */
export async function liveFeed(live: LiveIndex, userId: number, limit: number): Promise<ScoredCard[] | undefined> {
  const top = await live.topK(userId, limit);
  if (!top) return undefined;
  const { ranked } = top;
  if (!ranked.length) return [];
  const cards = new Map((await rows(live.db, 'cards_by_ids', [ranked.map((r) => r.id)])).map((r) => [r.id as number, toCard(r)]));
  // Someone erased or paused since the index last heard has no card here, and is left out.
  return ranked.flatMap((r) => {
    const card = cards.get(r.id);
    return card ? [{ ...card, score: r.score }] : [];
  });
}
