import type { Candidate } from './types.js';
import { mutual } from './compatible.js';
import { type Weights, baseScore, byRank } from './score.js';

// The definition the engine must reproduce, written the obvious way: check everyone, score, sort.
// Tests compare the engine with it; the benchmark measures how much faster the engine is.

interface Swipes {
  excluded(id: number): boolean;
  likedYou(id: number): boolean;
}

export function eligibleBruteForce(u: Candidate, population: readonly Candidate[], swipes: Swipes): Candidate[] {
  return population.filter((v) => mutual(u, v) && !swipes.excluded(v.id));
}

/**
 * Ranks u's eligible candidates: base score, plus the liked-you bonus for the `likerCap` best of
 * those who liked u (best by base score, then the smaller id); sorted by byRank.
 */
export function rankBruteForce(
  u: Candidate,
  eligible: readonly Candidate[],
  likedYou: (id: number) => boolean,
  w: Weights,
): { id: number; score: number }[] {
  const scored = eligible.map((v) => ({ id: v.id, score: baseScore(u, v, w) }));
  const likers = scored.filter((s) => likedYou(s.id)).sort(byRank);
  for (const s of likers.slice(0, w.likerCap)) s.score += w.likedYouBonus;
  return scored.sort(byRank);
}

export function topKBruteForce(
  u: Candidate,
  k: number,
  population: readonly Candidate[],
  swipes: Swipes,
  w: Weights,
): { id: number; score: number }[] {
  return rankBruteForce(u, eligibleBruteForce(u, population, swipes), (id) => swipes.likedYou(id), w).slice(0, Math.max(0, k));
}
