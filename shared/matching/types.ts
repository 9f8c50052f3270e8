/** What matching needs of a user: numbers only (and interest tags), so it can live in typed arrays. */
export interface Candidate {
  id: number;
  age: number;
  height: number;
  /** 1 = not stated, 2 = woman, 4 = man, 8 = nonbinary (see shared/genders.ts). */
  genderBit: number;
  /** OR of the gender bits this user wants; 15 = open to everyone, including "not stated". */
  interestMask: number;
  ageMin: number;
  ageMax: number;
  heightMin: number;
  heightMax: number;
  // What the ranking learns from (score.ts); absent = nothing known yet (0 / none).
  /** Swipe counters (Postgres swipe_counts): likes and passes this user gave, and received. */
  likesGiven?: number;
  passesGiven?: number;
  likesReceived?: number;
  passesReceived?: number;
  /** Whole days since the user joined. */
  days?: number;
  /** Whole days since someone last swiped on this user (since joining, if nobody has yet). */
  idleDays?: number;
  /** Share of the population this user is mutually eligible with, parts per million, as the last rebuild counted it (reach.ts); 0 or absent = not known yet. */
  reach?: number;
  /** Interest tags, lower-case and trimmed (shared/profile.ts). */
  interests?: readonly string[] | null;
}
