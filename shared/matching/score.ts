import type { Candidate } from './types.js';

// The ranking, in integer points so that the live path, the batch engine, the incremental pass and
// tests agree to the unit. Higher is better; the engine searches by cost = SCORE_BASE - score.
//
// score(u, v) = SCORE_BASE - distance(u, v) + boost(v) + interest points(u, v) [+ liked-you bonus]
//
// It is the log of a reciprocal product: log-odds that u likes v plus log-odds that v likes u,
// without the terms that are the same for every candidate of u (u's own pickiness and appeal).
// - distance: fit to both people's preferences (both directions count, so it is in both factors).
//   A year away from the centre of a preferred age range costs 10 points, a centimetre 4.
// - boost(v): what v's swipe history says, Bayesian-smoothed towards the prior so a newcomer
//   starts neutral: v's appeal (share of v's received swipes that were likes: P(u likes v)) and
//   v's warmth (share of v's own swipes that were likes: P(v likes u)); plus, with a fair policy,
//   lifts for the under-exposed (few swipes received per day), the idle (nobody swiped on them for
//   days) and newcomers, a lean against reach (how many people are eligible for v, reach.ts), and
//   a penalty for the congested (shown far more than they answer). A
//   per-candidate number, so the engine can bound it per bucket.
// - interests: points per shared tag, up to a cap (in both factors, as both see them).
// - liked you: that v already liked u is evidence that multiplies the odds of "v likes u"; only
//   the `likerCap` best such candidates get it (likers first, but a capped share of the list).

export const SCORE_BASE = 10_000;

/** Every weight of the ranking; `points` are score units (10 = one year of age fit). */
export interface Weights {
  /** Points for someone who already liked the asker (20 years of fit by default: they come first). */
  likedYouBonus: number;
  /** How many likers per list get the bonus (the best of them); the rest rank on their own merit. */
  likerCap: number;
  /** Points per logit of v's smoothed received-like rate above the prior. */
  appeal: number;
  /** Points per logit of v's smoothed given-like rate above the prior. */
  warmth: number;
  /** The prior like rate and its strength in pseudo-swipes (Bayesian smoothing for newcomers). */
  priorRate: number;
  priorSwipes: number;
  /** Points per shared interest tag, and how many shared tags count. */
  interest: number;
  interestCap: number;
  // Fairness and congestion (0 turns each off).
  /** Points for a user on their first day, falling linearly to 0 at `newcomerDays`. */
  newcomerLift: number;
  newcomerDays: number;
  /** Points for a user shown to nobody yet, falling linearly to 0 at `exposureTarget` swipes received per day. */
  exposureLift: number;
  exposureTarget: number;
  /** Points for a user nobody has swiped on for `idleDays` days or more, rising linearly from 0 (swiped on within the last day). */
  idleLift: number;
  idleDays: number;
  /** Points per logit by which likes waiting on v exceed `congestionRatio` times v's own swipes. */
  congestion: number;
  congestionRatio: number;
  /** Points per logit by which v is shown (swipes received) beyond `showCapRatio` times what v answers (swipes given). */
  showCap: number;
  showCapRatio: number;
  /** Points per log unit by which v's reach (reach.ts) exceeds `reachRef` (parts per million); below it, a lift. Unknown reach: 0. */
  reachLog: number;
  reachRef: number;
  /** The reach term's largest size either way, in points: wider, it spreads boosts and the engine prunes less (docs/ALGORITHM.md). */
  reachMax: number;
}

/** Today's ranking before learning: fit, and every liker first. */
export const PREFERENCE_ONLY: Readonly<Weights> = Object.freeze({
  likedYouBonus: 200, likerCap: Number.MAX_SAFE_INTEGER, appeal: 0, warmth: 0, priorRate: 0.4, priorSwipes: 10,
  interest: 0, interestCap: 0, newcomerLift: 0, newcomerDays: 14, exposureLift: 0, exposureTarget: 1, idleLift: 0, idleDays: 7, congestion: 0, congestionRatio: 1,
  showCap: 0, showCapRatio: 1, reachLog: 0, reachRef: 100_000, reachMax: 1500,
});

/**
 * Reciprocal: both directions' estimated odds, likers first up to a cap (one default page). The
 * odds that v likes u back include the odds that v answers at all: likes waiting on v beyond what v
 * answers (`congestion`, ratio 1) are likes that v will never see.
 */
export const RECIPROCAL: Readonly<Weights> = Object.freeze({
  ...PREFERENCE_ONLY, likerCap: 20, appeal: 120, warmth: 120, interest: 80, interestCap: 3, congestion: 200, congestionRatio: 1,
});

/**
 * Reciprocal with fairness (docs/ALGORITHM.md has the trade-off, measured): people few can see
 * lifted and those many can see held back (300 points per log unit of reach against 10%, at most
 * 300 either way), the
 * under-exposed lifted (up to 600 points below 8 swipes received a day) and anyone nobody swiped on
 * for days (up to 500 at 7 days idle; newcomers too, so no separate newcomer lift), the congested
 * held back harder (likes waiting beyond half of what they answer), and likers kept first against
 * those lifts.
 */
export const FAIR: Readonly<Weights> = Object.freeze({
  ...RECIPROCAL, appeal: 200, warmth: 40, congestion: 400, congestionRatio: 0.5, likedYouBonus: 1200, likerCap: 40,
  newcomerLift: 0, exposureLift: 600, exposureTarget: 8, idleLift: 500, idleDays: 7, reachLog: 300, reachMax: 300,
});

/** |boost| stays below this, so costs fit the engine's slots (top-k.ts). */
export const MAX_BOOST = 1500;

/** Fit distance between u and v (symmetric). */
export function distance(u: Candidate, v: Candidate): number {
  return (
    5 * Math.abs(2 * v.age - (u.ageMin + u.ageMax)) +
    2 * Math.abs(2 * v.height - (u.heightMin + u.heightMax)) +
    5 * Math.abs(2 * u.age - (v.ageMin + v.ageMax)) +
    2 * Math.abs(2 * u.height - (v.heightMin + v.heightMax))
  );
}

const logit = (p: number) => Math.log(p / (1 - p));

/** Smoothed rate: (likes + strength * prior) / (swipes + strength). */
export const smoothed = (likes: number, passes: number, w: Weights) => (likes + w.priorSwipes * w.priorRate) / (likes + passes + w.priorSwipes);

/** v's part of the score: learned appeal and warmth, plus the fairness terms. An integer within ±MAX_BOOST. */
export function boost(v: Candidate, w: Weights): number {
  const lg = v.likesGiven ?? 0, pg = v.passesGiven ?? 0, lr = v.likesReceived ?? 0, pr = v.passesReceived ?? 0, days = v.days ?? 0;
  const prior = logit(w.priorRate);
  let b = 0;
  if (w.appeal) b += w.appeal * (logit(smoothed(lr, pr, w)) - prior);
  if (w.warmth) b += w.warmth * (logit(smoothed(lg, pg, w)) - prior);
  if (w.newcomerLift && days < w.newcomerDays) b += (w.newcomerLift * (w.newcomerDays - days)) / w.newcomerDays;
  if (w.exposureLift) b += w.exposureLift * Math.max(0, 1 - (lr + pr) / (w.exposureTarget * (days + 1)));
  if (w.reachLog && v.reach) b -= Math.max(-w.reachMax, Math.min(w.reachMax, w.reachLog * Math.log(v.reach / w.reachRef)));
  if (w.idleLift) b += (w.idleLift * Math.min(v.idleDays ?? 0, w.idleDays)) / w.idleDays;
  if (w.congestion) {
    // Likes waiting on v against what v answers; smoothed so one like on a quiet newcomer is not congestion.
    const pressure = Math.log((lr + w.priorSwipes) / (w.congestionRatio * (lg + pg + w.priorSwipes)));
    if (pressure > 0) b -= w.congestion * pressure;
  }
  if (w.showCap) {
    const shown = Math.log((lr + pr + w.priorSwipes) / (w.showCapRatio * (lg + pg + w.priorSwipes)));
    if (shown > 0) b -= w.showCap * shown;
  }
  return Math.max(-MAX_BOOST + 1, Math.min(MAX_BOOST - 1, Math.round(b)));
}

/** How many interest tags u and v share (tags are distinct within a profile). */
export function sharedInterests(u: Candidate, v: Candidate): number {
  if (!u.interests?.length || !v.interests?.length) return 0;
  let n = 0;
  for (const t of v.interests) if (u.interests.includes(t)) n++;
  return n;
}

export const interestPoints = (shared: number, w: Weights) => w.interest * Math.min(shared, w.interestCap);

/** The score of v for u, before any liked-you bonus. */
export function baseScore(u: Candidate, v: Candidate, w: Weights): number {
  return SCORE_BASE - distance(u, v) + boost(v, w) + interestPoints(sharedInterests(u, v), w);
}

/** The score of v for u; `bonus`: v liked u and is among the `likerCap` best likers. */
export function score(u: Candidate, v: Candidate, bonus: boolean, w: Weights): number {
  return baseScore(u, v, w) + (bonus ? w.likedYouBonus : 0);
}

/** The feed order: score high to low, then the smaller id first so that every path agrees. */
export function byRank(a: { id: number; score: number }, b: { id: number; score: number }): number {
  return b.score - a.score || a.id - b.id;
}

/** Weights the engine can hold exactly: integers where it matters, within bounds (top-k.ts slots). */
export function checkWeights(w: Weights): void {
  const ok = Number.isInteger(w.likedYouBonus) && w.likedYouBonus >= 0 && w.likedYouBonus <= 2000 &&
    Number.isInteger(w.interest) && w.interest >= 0 && Number.isInteger(w.interestCap) && w.interestCap >= 0 &&
    w.interest * w.interestCap <= 1000 && Number.isInteger(w.likerCap) && w.likerCap >= 0 && w.priorRate > 0 && w.priorRate < 1 && w.priorSwipes > 0 &&
    w.newcomerDays > 0 && w.exposureTarget > 0 && w.idleDays > 0 && w.congestionRatio > 0 && w.showCapRatio > 0 && w.reachRef > 0 && w.reachMax >= 0;
  if (!ok) throw new RangeError(`ranking weights out of bounds: ${JSON.stringify(w)}`);
}
