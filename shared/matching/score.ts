import type { Candidate } from './types.js';

// The ranking, in integer points so that the live path, the batch engine, the incremental pass and
// tests agree to the unit. A year away from the centre of a preferred age range costs 10 points,
// a centimetre away from the centre of a preferred height range 4 (a year weighs 2.5 cm), and both
// directions count equally: the best match sits in the middle of my ranges and I in the middle of theirs.
export const SCORE_BASE = 10_000;
/** Someone who already liked you is worth 20 years or 50 cm of fit: likely matches come first. */
export const LIKED_YOU_BONUS = 200;

/** Fit distance between u and v (symmetric). */
export function distance(u: Candidate, v: Candidate): number {
  return (
    5 * Math.abs(2 * v.age - (u.ageMin + u.ageMax)) +
    2 * Math.abs(2 * v.height - (u.heightMin + u.heightMax)) +
    5 * Math.abs(2 * u.age - (v.ageMin + v.ageMax)) +
    2 * Math.abs(2 * u.height - (v.heightMin + v.heightMax))
  );
}

export function score(u: Candidate, v: Candidate, likedYou: boolean): number {
  return SCORE_BASE - distance(u, v) + (likedYou ? LIKED_YOU_BONUS : 0);
}

/** The feed order: score high to low, then the smaller id first so that every path agrees. */
export function byRank(a: { id: number; score: number }, b: { id: number; score: number }): number {
  return b.score - a.score || a.id - b.id;
}
