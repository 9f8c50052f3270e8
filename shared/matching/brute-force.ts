import type { Candidate } from './types.js';
import { mutual } from './compatible.js';
import { byRank, score } from './score.js';

// The definition the engine must reproduce, written the obvious way: check everyone, score, sort.
// Tests compare the engine with it; the benchmark measures how much faster the engine is.

interface Swipes {
  excluded(id: number): boolean;
  likedYou(id: number): boolean;
}

export function eligibleBruteForce(u: Candidate, population: readonly Candidate[], swipes: Swipes): Candidate[] {
  return population.filter((v) => mutual(u, v) && !swipes.excluded(v.id));
}

export function topKBruteForce(
  u: Candidate,
  k: number,
  population: readonly Candidate[],
  swipes: Swipes,
): { id: number; score: number }[] {
  return eligibleBruteForce(u, population, swipes)
    .map((v) => ({ id: v.id, score: score(u, v, swipes.likedYou(v.id)) }))
    .sort(byRank)
    .slice(0, Math.max(0, k));
}
