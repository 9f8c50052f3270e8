// Profiles in Postgres.
import { type Db, type Pool, rows, withTransaction } from './db.js';
import { AppError, notFound } from './errors.js';
import { type NewProfile, type PreferencesPatch, type Profile, applyPreferences, rangeIssues, toProfile } from './profile.js';

export async function insertUser(db: Db, p: NewProfile): Promise<Profile> {
  const [row] = await rows(db, 'insert_user', [
    p.name, p.age, p.height, p.gender ?? null, p.interested_in ?? null,
    p.preferred_age_min, p.preferred_age_max, p.preferred_height_min, p.preferred_height_max, p.bio ?? null,
    p.interests?.length ? p.interests : null,
  ]);
  return toProfile(row!);
}

export async function getUser(db: Db, id: number): Promise<Profile> {
  const [row] = await rows(db, 'get_user', [id]);
  if (!row) throw notFound(`User ${id}`);
  return toProfile(row);
}

/** Read, merge and write under a row lock, so two concurrent patches cannot combine into min > max. */
export async function updatePreferences(pool: Pool, id: number, patch: PreferencesPatch): Promise<Profile> {
  return withTransaction(pool, async (tx) => {
    const [row] = await rows(tx, 'lock_user', [id]);
    if (!row) throw notFound(`User ${id}`);
    const next = applyPreferences(toProfile(row), patch);
    const issues = rangeIssues(next);
    if (issues.length) throw new AppError('VALIDATION_ERROR', 'The preferences would leave a range with its minimum above its maximum.', issues);
    const [updated] = await rows(tx, 'update_preferences', [
      id, next.preferred_age_min, next.preferred_age_max, next.preferred_height_min, next.preferred_height_max, next.interested_in,
      next.interests.length ? next.interests : null,
    ]);
    return toProfile(updated!);
  });
}
