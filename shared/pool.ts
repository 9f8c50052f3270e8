// GET /pool: how many people a user's filters admit now, and what widening each filter would add.
import { type Db, rows } from './db.js';
import { notFound } from './errors.js';
import { GENDERS, type Gender, genderBit } from './genders.js';

export interface Pool {
  user_id: number;
  eligible: number;
  widen: { age: number; height: number; genders: Partial<Record<Gender, number>> };
}

export async function poolOf(db: Db, userId: number): Promise<Pool> {
  const [r] = await rows(db, 'pool_counts', [userId]);
  if (!r) throw notFound(`User ${userId}`);
  // One entry per gender not yet wanted; someone open to everyone (mask 15) has none to add.
  const genders: Partial<Record<Gender, number>> = {};
  for (const g of GENDERS) if ((r.interest_mask & genderBit(g)) === 0) genders[g] = r[g];
  return { user_id: userId, eligible: r.eligible, widen: { age: r.age, height: r.height, genders } };
}
