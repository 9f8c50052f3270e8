// The incremental pass offers a changed user to other people's cached lists: each entry needs the
// score the engine would give the user in that person's ranking (score.ts is not symmetric: the
// boost is the candidate's). The liked-you cap is not applied here (it needs the whole list of
// likers); the entry is placed with the bonus when the user liked them, until the next refresh.
import { candidateOfRow } from './candidates.js';
import { type Db, rows } from './db.js';
import { FAIR, type Weights, score } from './matching/score.js';

/** For each of `others`: the score of `userId` as a candidate of theirs. */
export async function offerScores(db: Db, userId: number, others: readonly number[], likedByUser: Set<number>, w: Weights = FAIR): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!others.length) return out;
  const found = new Map((await rows(db, 'candidates_by_ids', [[userId, ...others]])).map((r) => [r.id as number, candidateOfRow(r)]));
  const me = found.get(userId);
  if (!me) return out;
  for (const other of others) {
    const them = found.get(other);
    if (them) out.set(other, score(them, me, likedByUser.has(other), w));
  }
  return out;
}
