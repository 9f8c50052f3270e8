// The stored card and the page assembled from it: what a client receives is what the profile says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CardSource, cardValue, parseCard, readCard } from './cards.js';
import { pageBody } from './feed-rank.js';
import { genderBit, interestMask } from './genders.js';

const text = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', '}', ',', ':', '"age":', 'é', '💘', '\n'), fc.string({ unit: 'grapheme', maxLength: 1 })), maxLength: 20 });
const gender = fc.constantFrom('man', 'woman', 'nonbinary', null);
const profile: fc.Arbitrary<CardSource> = fc.record({
  id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  name: text.map((s) => `n${s}`),
  age: fc.integer({ min: 18, max: 120 }),
  height: fc.integer({ min: 100, max: 250 }),
  gender,
  interested_in: fc.option(fc.subarray(['man', 'woman', 'nonbinary'] as const), { nil: null }),
  preferred_age_min: fc.integer({ min: 18, max: 120 }),
  preferred_age_max: fc.integer({ min: 18, max: 120 }),
  preferred_height_min: fc.integer({ min: 100, max: 250 }),
  preferred_height_max: fc.integer({ min: 100, max: 250 }),
  bio: fc.option(text, { nil: null }),
  interests: fc.array(text, { maxLength: 3 }),
  version: fc.integer({ min: 0, max: 1e12 - 1 }),
  shown: fc.boolean(),
}) as fc.Arbitrary<CardSource>;

describe('cards', () => {
  it('read without parsing: the check matches the profile and the JSON is the public card', () => {
    fc.assert(
      fc.property(profile, (p) => {
        const read = readCard(p.id, cardValue(p))!;
        expect(read.s).toBe(p.shown);
        expect(read.m).toEqual({
          id: p.id, age: p.age, height: p.height, genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in),
          ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max,
        });
        expect(JSON.parse(read.json)).toEqual({ id: p.id, name: p.name, age: p.age, height: p.height, gender: p.gender, bio: p.bio, interests: p.interests });
        expect(parseCard(cardValue(p))).toEqual({ card: JSON.parse(read.json), m: read.m, s: p.shown });
      }),
    );
  });

  it('a page body is the documented shape: each card with its rank-derived score', () => {
    fc.assert(
      fc.property(fc.array(profile, { maxLength: 5 }), fc.constantFrom('cache', 'live'), fc.integer({ min: 1, max: 1e6 }), (ps, source, uid) => {
        const at = new Date(1_700_000_000_000);
        const body = JSON.parse(pageBody(uid, { cards: ps.map((p) => ({ json: readCard(p.id, cardValue(p))!.json })), source, generatedAt: at }));
        expect(body).toEqual({
          user_id: uid,
          potential_matches: ps.map((p, i) => ({ ...parseCard(cardValue(p))!.card, score: 100 - i })),
          source,
          generated_at: at.toISOString(),
        });
      }),
    );
  });
});
