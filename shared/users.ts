// Profiles in Postgres.
import { type Db, type Pool, rows, withTransaction } from './db.js';
import { AppError, notFound } from './errors.js';
import { genderBit, interestMask } from './genders.js';
import type { ReachOf, Who } from './matching/reach.js';
import { type NewProfile, type PreferencesPatch, type Profile, applyPreferences, rangeIssues, toProfile } from './profile.js';

/** What reach is counted from (shared/matching/reach.ts): a profile's own numbers. */
const who = (id: number, p: Pick<Profile, 'age' | 'height' | 'preferred_age_min' | 'preferred_age_max' | 'preferred_height_min' | 'preferred_height_max'> & Pick<NewProfile, 'gender' | 'interested_in'>): Who => ({
  id, age: p.age, height: p.height, genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in),
  ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max,
});

/** `reachOf`: the new user's reach, stored with them (none: the next rebuild counts it). */
export async function insertUser(db: Db, p: NewProfile, reachOf?: ReachOf): Promise<Profile> {
  const [row] = await rows(db, 'insert_user', [
    p.name, p.age, p.height, p.gender ?? null, p.interested_in ?? null,
    p.preferred_age_min, p.preferred_age_max, p.preferred_height_min, p.preferred_height_max, p.bio ?? null,
    p.interests?.length ? p.interests : null, reachOf?.(who(0, p)) ?? null,
  ]);
  return toProfile(row!);
}

export async function getUser(db: Db, id: number): Promise<Profile> {
  const [row] = await rows(db, 'get_user', [id]);
  if (!row) throw notFound(`User ${id}`);
  return toProfile(row);
}

/**
 * Read, merge and write under a row lock, so two concurrent patches cannot combine into min > max.
 * `reachOf`: the user's reach under the new preferences, stored in the same transaction.
 */
export async function updatePreferences(pool: Pool, id: number, patch: PreferencesPatch, reachOf?: ReachOf): Promise<Profile> {
  return withTransaction(pool, async (tx) => {
    const [row] = await rows(tx, 'lock_user', [id]);
    if (!row) throw notFound(`User ${id}`);
    const current = toProfile(row);
    const next = applyPreferences(current, patch);
    const issues = rangeIssues(next);
    if (issues.length) throw new AppError('VALIDATION_ERROR', 'The preferences would leave a range with its minimum above its maximum.', issues);
    const [updated] = await rows(tx, 'update_preferences', [
      id, next.preferred_age_min, next.preferred_age_max, next.preferred_height_min, next.preferred_height_max, next.interested_in,
      next.interests.length ? next.interests : null,
    ]);
    const reach = reachOf?.(who(id, { ...current, ...next }));
    if (reach) await rows(tx, 'set_reach', [id, reach]);
    return toProfile(updated!);
  });
}
