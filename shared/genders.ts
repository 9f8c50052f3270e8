export const GENDERS = ['woman', 'man', 'nonbinary'] as const;
export type Gender = (typeof GENDERS)[number];

// Must agree with gender_bit() and interest_mask() in sql/migrations/0001_init.sql.
export const NOT_STATED_BIT = 1;
export const OPEN_TO_ALL = 15;
const bits: Record<Gender, number> = { woman: 2, man: 4, nonbinary: 8 };

export const genderBit = (g: Gender | null | undefined): number => (g ? bits[g] : NOT_STATED_BIT);

export const interestMask = (genders: readonly Gender[] | null | undefined): number =>
  genders == null ? OPEN_TO_ALL : genders.reduce((m, g) => m | bits[g], 0);
