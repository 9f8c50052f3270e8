/** What matching needs of a user: numbers only, so it can live in typed arrays. */
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
}
