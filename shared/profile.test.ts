import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPreferences, newProfileSchema, preferencesPatchSchema, rangeIssues } from './profile.js';

const valid = { name: ' Kim ', age: 30, height: 170, preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 190 };

describe('newProfileSchema', () => {
  it('trims the name and orders and deduplicates interested_in', () => {
    const p = newProfileSchema.parse({ ...valid, interested_in: ['nonbinary', 'woman', 'nonbinary'] });
    expect(p.name).toBe('Kim');
    expect(p.interested_in).toEqual(['woman', 'nonbinary']);
  });

  it('accepts exactly the integers in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (age, height) => {
        const ok = newProfileSchema.safeParse({ ...valid, age, height, preferred_age_min: 18, preferred_height_min: 100 }).success;
        expect(ok).toBe(age >= 18 && age <= 120 && height >= 100 && height <= 250);
      }),
    );
  });

  it('refuses exactly the names and bios holding a NUL or a lone surrogate', () => {
    const piece = fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\uD83D', '\uDE00', 'a', ' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 });
    fc.assert(
      fc.property(piece, piece, (name, bio) => {
        const bad = (s: string) => s.includes('\u0000') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
        const r = newProfileSchema.safeParse({ ...valid, name: `n${name}`, bio });
        const refused = (r.error?.issues ?? []).map((i) => i.path.join('.')).sort();
        expect(refused).toEqual([...(bad(bio) ? ['bio'] : []), ...(bad(name) ? ['name'] : [])]);
      }),
    );
  });

  it('refuses upside-down ranges, naming the min field', () => {
    const r = newProfileSchema.safeParse({ ...valid, preferred_height_min: 191 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['preferred_height_min']);
  });
});

describe('preferences patch', () => {
  it('must name at least one known field', () => {
    expect(preferencesPatchSchema.safeParse({}).success).toBe(false);
    expect(preferencesPatchSchema.safeParse({ age: 3 }).success).toBe(false);
    expect(preferencesPatchSchema.safeParse({ interested_in: null }).success).toBe(true);
  });

  it('is checked against the stored values once merged', () => {
    const current = { preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 190, interested_in: null, interests: [] };
    expect(rangeIssues(applyPreferences(current, { preferred_age_min: 36 }))).toEqual([
      { field: 'preferred_age_min', message: 'must not be greater than preferred_age_max (35)' },
    ]);
    expect(rangeIssues(applyPreferences(current, { preferred_age_min: 35 }))).toEqual([]);
  });
});

describe('interests', () => {
  const base = { name: 'A', age: 30, height: 170, preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 190 };

  it('are trimmed, lower-cased and deduplicated, in the order given', () => {
    const p = newProfileSchema.parse({ ...base, interests: ['  Hiking ', 'JAZZ', 'hiking', 'jazz', 'Board games'] });
    expect(p.interests).toEqual(['hiking', 'jazz', 'board games']);
    expect(preferencesPatchSchema.parse({ interests: ['Chess'] })).toEqual({ interests: ['chess'] });
  });

  it.each([
    ['eleven distinct tags', Array.from({ length: 11 }, (_, i) => `t${i}`)],
    ['an empty tag', ['ok', '   ']],
    ['a tag over 30 characters', ['x'.repeat(31)]],
    ['a NUL character', ['a\0b']],
    ['not strings', [3]],
    ['not a list', 'hiking'],
  ])('refuse %s', (_name, interests) => {
    expect(newProfileSchema.safeParse({ ...base, interests }).success).toBe(false);
    expect(preferencesPatchSchema.safeParse({ interests }).success).toBe(false);
  });

  it('count after duplicates are dropped: twelve tags with two repeats are ten', () => {
    const tags = [...Array.from({ length: 10 }, (_, i) => `t${i}`), 'T1', ' t2'];
    expect(newProfileSchema.parse({ ...base, interests: tags }).interests).toHaveLength(10);
  });

  it('a patch of null or [] clears them; leaving them out keeps them', () => {
    const current = { preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 190, interested_in: null, interests: ['a'] };
    expect(applyPreferences(current, { interests: null }).interests).toEqual([]);
    expect(applyPreferences(current, { interests: [] }).interests).toEqual([]);
    expect(applyPreferences(current, { preferred_age_min: 30 }).interests).toEqual(['a']);
  });
});
