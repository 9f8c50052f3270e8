import type { Candidate } from './types.js';

/** `v` fits what `u` asked for: age, height and gender. One direction only. */
export function wants(u: Candidate, v: Candidate): boolean {
  return (
    v.age >= u.ageMin &&
    v.age <= u.ageMax &&
    v.height >= u.heightMin &&
    v.height <= u.heightMax &&
    (u.interestMask & v.genderBit) !== 0
  );
}

/** Rules 1-4 of the contract's eligibility: distinct and each wants the other. Swipes are checked elsewhere. */
export function mutual(u: Candidate, v: Candidate): boolean {
  return u.id !== v.id && wants(u, v) && wants(v, u);
}
