// A user as matching sees them, read from Postgres rows or COPY text. The columns, in this order, as
// every candidate query selects them (sql/queries/population.sql and its siblings): id, age, height,
// gender_bit, interest_mask, the four preferred_* bounds, the four swipe counters, days since
// joining, days since someone last swiped on them, and the interest tags as JSON text.
import { decodeField } from './copy-text.js';
import type { Candidate } from './matching/types.js';

/** How many leading columns of a candidate query are the candidate's; profile columns may follow. */
export const CANDIDATE_COLUMNS = 17;

const tags = (json: string | null | undefined): string[] | null => (json ? (JSON.parse(json) as string[]) : null);

export const candidateOfFields = (f: string[]): Candidate => ({
  id: +f[0]!, age: +f[1]!, height: +f[2]!, genderBit: +f[3]!, interestMask: +f[4]!,
  ageMin: +f[5]!, ageMax: +f[6]!, heightMin: +f[7]!, heightMax: +f[8]!,
  likesGiven: +f[9]!, passesGiven: +f[10]!, likesReceived: +f[11]!, passesReceived: +f[12]!, days: +f[13]!,
  idleDays: +f[14]!, reach: +f[15]!, interests: tags(decodeField(f[16]!)),
});

export const candidateOfRow = (r: Record<string, any>): Candidate => ({
  id: r.id, age: r.age, height: r.height, genderBit: r.gender_bit, interestMask: r.interest_mask,
  ageMin: r.preferred_age_min, ageMax: r.preferred_age_max, heightMin: r.preferred_height_min, heightMax: r.preferred_height_max,
  likesGiven: r.likes_given, passesGiven: r.passes_given, likesReceived: r.likes_received, passesReceived: r.passes_received, days: r.days,
  idleDays: r.idle_days, reach: r.reach, interests: tags(r.interests),
});
