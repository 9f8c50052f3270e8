// Leaving and pausing: account deletion and visibility, in Postgres (the feed hooks follow the commit).
import { type Pool, rows, withTransaction } from './db.js';

/**
 * Erases the account in one transaction: the users row (swipes, matches and blocks cascade),
 * reports they made anonymised, reports about them kept with the bare id, the id recorded in
 * erased_users. False when there was no such user.
 */
export async function deleteUser(pool: Pool, userId: number): Promise<boolean> {
  return withTransaction(pool, async (tx) => (await rows(tx, 'delete_user', [userId])).length > 0);
}

/** Pauses (false) or un-pauses (true); undefined when there is no such user. */
export async function setVisibility(pool: Pool, userId: number, visible: boolean): Promise<boolean | undefined> {
  const [row] = await rows<{ visible: boolean }>(pool, 'set_visibility', [userId, visible]);
  return row?.visible;
}
