// The contract's eligibility rules, applied by brute force to everything in the database.
import type { Db } from '../../shared/db.js';
import { genderBit, interestMask } from '../../shared/genders.js';
import { mutual } from '../../shared/matching/compatible.js';
import { rankBruteForce } from '../../shared/matching/brute-force.js';
import { FAIR, type Weights } from '../../shared/matching/score.js';
import type { Candidate } from '../../shared/matching/types.js';
import { apiScore } from '../../shared/feed-rank.js';

export async function loadWorld(db: Db) {
  const users = (await db.query(`select u.*, c.likes_given, c.passes_given, c.likes_received, c.passes_received, c.reach_ppm,
      extract(epoch from now() - u.created_at) as age_s,
      extract(epoch from now() - coalesce(c.last_swiped_on, u.created_at)) as idle_s
    from users u left join swipe_counts c on c.user_id = u.id`)).rows.map(
    (r): Candidate => ({
      id: r.id,
      age: r.age,
      height: r.height,
      genderBit: genderBit(r.gender),
      interestMask: interestMask(r.interested_in),
      ageMin: r.preferred_age_min,
      ageMax: r.preferred_age_max,
      heightMin: r.preferred_height_min,
      heightMax: r.preferred_height_max,
      likesGiven: r.likes_given ?? 0,
      passesGiven: r.passes_given ?? 0,
      likesReceived: r.likes_received ?? 0,
      passesReceived: r.passes_received ?? 0,
      days: Math.max(0, Math.floor(Number(r.age_s) / 86400)),
      idleDays: Math.max(0, Math.floor(Number(r.idle_s) / 86400)),
      reach: r.reach_ppm ?? 0,
      interests: r.interests,
    }),
  );
  const swipes = new Map<string, 'like' | 'pass'>();
  for (const s of (await db.query('select swiper_id, swipee_id, kind from swipes')).rows) swipes.set(`${s.swiper_id}>${s.swipee_id}`, s.kind);
  const matched = new Set<string>();
  for (const m of (await db.query('select user_low, user_high from matches')).rows) matched.add(`${m.user_low}-${m.user_high}`);
  return { users, swipes, matched };
}

export type World = Awaited<ReturnType<typeof loadWorld>>;

export function eligible(w: World, u: Candidate, v: Candidate): boolean {
  if (!mutual(u, v)) return false;
  if (w.swipes.has(`${u.id}>${v.id}`)) return false;
  if (w.swipes.get(`${v.id}>${u.id}`) === 'pass') return false;
  return !w.matched.has(`${Math.min(u.id, v.id)}-${Math.max(u.id, v.id)}`);
}

/** The ranking the contract expects for u (engine scores): every eligible user, ranked, cut at limit. */
export function expectedPage(w: World, u: Candidate, limit: number, weights: Weights = FAIR): { id: number; score: number }[] {
  const candidates = w.users.filter((v) => eligible(w, u, v));
  return rankBruteForce(u, candidates, (id) => w.swipes.get(`${id}>${u.id}`) === 'like', weights).slice(0, limit);
}

/** The same page as the API shows it: the score is the rank (100 for the first card, then 99, ...). */
export const expectedApiPage = (w: World, u: Candidate, limit: number, weights: Weights = FAIR) =>
  expectedPage(w, u, limit, weights).map((r, i) => ({ id: r.id, score: apiScore(i) }));
