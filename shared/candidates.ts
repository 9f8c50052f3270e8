// A user as matching sees them, read from Postgres rows or COPY text (columns as in sql/queries/population.sql).
import type { Candidate } from './matching/types.js';

export const candidateOfFields = (f: string[]): Candidate => ({
  id: +f[0]!, age: +f[1]!, height: +f[2]!, genderBit: +f[3]!, interestMask: +f[4]!,
  ageMin: +f[5]!, ageMax: +f[6]!, heightMin: +f[7]!, heightMax: +f[8]!,
});

export const candidateOfRow = (r: Record<string, any>): Candidate => ({
  id: r.id, age: r.age, height: r.height, genderBit: r.gender_bit, interestMask: r.interest_mask,
  ageMin: r.preferred_age_min, ageMax: r.preferred_age_max, heightMin: r.preferred_height_min, heightMax: r.preferred_height_max,
});
