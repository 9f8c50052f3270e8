// Profiles as the contract defines them: validation, the public card, and conversion from rows.
import { z } from 'zod';
import { GENDERS, type Gender } from './genders.js';
import { unstorable } from './storable-text.js';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const age = int(18, 120);
const height = int(100, 250);
const gender = z.enum(GENDERS);
// A list of genders, stored deduplicated in a fixed order; null means open to every gender.
const interestedIn = z
  .array(gender)
  .min(1, 'name at least one gender, or leave the field out to be open to everyone')
  .transform((gs) => GENDERS.filter((g) => gs.includes(g)));

/** A string Postgres stores as given (no NUL, no lone surrogate): use it for every text field. */
export const storableText = () =>
  z.string().superRefine((s, ctx) => {
    const why = unstorable(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

// Interest tags: trimmed, lower-cased, duplicates dropped (first occurrence kept), then at most 10.
const interests = z
  .array(
    storableText()
      .trim()
      .toLowerCase()
      .min(1, 'each interest needs at least one character')
      .max(30, 'each interest must be at most 30 characters'),
  )
  .transform((ts) => [...new Set(ts)])
  .pipe(z.array(z.string()).max(10, 'at most 10 interests'));

export const preferenceFields = ['preferred_age_min', 'preferred_age_max', 'preferred_height_min', 'preferred_height_max'] as const;

type Ranges = Partial<Record<(typeof preferenceFields)[number], number>>;

/** The fields whose range would be upside down (min > max). */
export function rangeIssues(p: Ranges): { field: string; message: string }[] {
  const issues = [];
  for (const [min, max] of [['preferred_age_min', 'preferred_age_max'], ['preferred_height_min', 'preferred_height_max']] as const) {
    const lo = p[min];
    const hi = p[max];
    if (lo !== undefined && hi !== undefined && lo > hi) {
      issues.push({ field: min, message: `must not be greater than ${max} (${hi})` });
    }
  }
  return issues;
}

const rangesInOrder = (p: Ranges, ctx: z.RefinementCtx) => {
  for (const i of rangeIssues(p)) ctx.addIssue({ code: 'custom', path: [i.field], message: i.message });
};

export const newProfileSchema = z
  .object({
    name: storableText().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    age,
    height,
    gender: gender.nullish(),
    interested_in: interestedIn.nullish(),
    preferred_age_min: age,
    preferred_age_max: age,
    preferred_height_min: height,
    preferred_height_max: height,
    bio: storableText().max(500, 'must be at most 500 characters').nullish(),
    interests: interests.nullish(),
  })
  .superRefine(rangesInOrder);
export type NewProfile = z.output<typeof newProfileSchema>;

export const preferencesPatchSchema = z
  .strictObject({
    preferred_age_min: age.optional(),
    preferred_age_max: age.optional(),
    preferred_height_min: height.optional(),
    preferred_height_max: height.optional(),
    // null resets to "open to everyone".
    interested_in: interestedIn.nullable().optional(),
    // null or [] clears them.
    interests: interests.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of the preferred_* fields, interested_in or interests');
export type PreferencesPatch = z.output<typeof preferencesPatchSchema>;

export interface Preferences {
  preferred_age_min: number;
  preferred_age_max: number;
  preferred_height_min: number;
  preferred_height_max: number;
  interested_in: Gender[] | null;
  interests: string[];
}

/** The stored preferences with a patch applied. */
export const applyPreferences = (current: Preferences, patch: PreferencesPatch): Preferences =>
  ({ ...current, ...patch, interests: patch.interests === undefined ? current.interests : (patch.interests ?? []) }) as Preferences;

export interface Card {
  id: number;
  name: string;
  age: number;
  height: number;
  gender: Gender | null;
  bio: string | null;
  interests: string[];
}

export interface Profile extends Card, Preferences {}

export const toProfile = (row: Record<string, any>): Profile => ({
  ...toCard(row),
  interested_in: row.interested_in,
  preferred_age_min: row.preferred_age_min,
  preferred_age_max: row.preferred_age_max,
  preferred_height_min: row.preferred_height_min,
  preferred_height_max: row.preferred_height_max,
});

/** The public view shown to other users: never preferences or anything private. */
export const toCard = (row: Record<string, any>): Card => ({
  id: row.id,
  name: row.name,
  age: row.age,
  height: row.height,
  gender: row.gender,
  bio: row.bio,
  interests: row.interests ?? [],
});
