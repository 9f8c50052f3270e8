// Random populations for property tests: small, dense, with narrow and wide ranges and edge values.
import type { Db } from '../../shared/db.js';
import { GENDERS } from '../../shared/genders.js';
import { newProfileSchema } from '../../shared/profile.js';
import { insertUser } from '../../shared/users.js';
import { type Rng, mulberry32 } from '../../scripts/lib/synthetic.js';

export type { Rng };
/** Seeded, so a failing population can be replayed from its seed. */
export const rng = mulberry32;

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** `dense`: everyone near the middle with wide ranges, so most users have many candidates. */
export function randomProfile(r: Rng, i: number, dense = false) {
  const age = dense ? int(r, 25, 35) : r() < 0.1 ? pick(r, [18, 120]) : int(r, 18, 40);
  const height = dense ? int(r, 160, 190) : r() < 0.1 ? pick(r, [100, 250]) : int(r, 150, 195);
  const aw = dense ? int(r, 10, 20) : int(r, 0, 15);
  const hw = dense ? int(r, 30, 60) : int(r, 0, 60);
  const amin = Math.max(18, age - int(r, 0, aw));
  const hmin = Math.max(100, height - int(r, 0, hw));
  const gender = r() < 0.15 ? undefined : pick(r, GENDERS);
  const interested = r() < 0.3 ? undefined : GENDERS.filter(() => r() < 0.5);
  return {
    name: `User ${i}`,
    age,
    height,
    ...(gender ? { gender } : {}),
    ...(interested && interested.length ? { interested_in: interested } : {}),
    preferred_age_min: amin,
    preferred_age_max: Math.min(120, amin + aw),
    preferred_height_min: hmin,
    preferred_height_max: Math.min(250, hmin + hw),
  };
}

export type SwipePlan = [number, number, 'like' | 'pass'][];

/** Random likes and passes among ids (later ones may overwrite earlier ones, as in life). */
export function randomSwipePlan(r: Rng, ids: number[], count: number): SwipePlan {
  const plan: SwipePlan = [];
  for (let i = 0; i < count; i++) {
    const a = pick(r, ids);
    const b = pick(r, ids);
    if (a !== b) plan.push([a, b, r() < 0.6 ? 'like' : 'pass']);
  }
  return plan;
}

/** The plan written straight to Postgres, with matches where likes are mutual (for tests below the API). */
export async function randomSwipes(db: Db, r: Rng, ids: number[], count: number): Promise<void> {
  for (const [a, b, kind] of randomSwipePlan(r, ids, count)) {
    await db.query(
      `insert into swipes (swiper_id, swipee_id, kind) values ($1, $2, $3)
       on conflict (swiper_id, swipee_id) do update set kind = excluded.kind`,
      [a, b, kind],
    );
  }
  await db.query(`delete from matches`);
  await db.query(`insert into matches (user_low, user_high)
    select a.swiper_id, a.swipee_id from swipes a join swipes b on b.swiper_id = a.swipee_id and b.swipee_id = a.swiper_id
    where a.kind = 'like' and b.kind = 'like' and a.swiper_id < a.swipee_id on conflict do nothing`);
}

/** A user for tests about swipes rather than matching: any profile will do. */
export async function insertPerson(db: Db): Promise<number> {
  const profile = newProfileSchema.parse({ name: 'P', age: 30, height: 170, preferred_age_min: 18, preferred_age_max: 99, preferred_height_min: 100, preferred_height_max: 250 });
  return (await insertUser(db, profile)).id;
}
