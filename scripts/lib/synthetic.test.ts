import { describe, expect, it } from 'vitest';
import { genderBit, interestMask } from '../../shared/genders.js';
import { mutual } from '../../shared/matching/compatible.js';
import type { Candidate } from '../../shared/matching/types.js';
import { newProfileSchema } from '../../shared/profile.js';
import { type SyntheticProfile, Traits, mulberry32, syntheticProfiles, syntheticSwipes } from './synthetic.js';

const N = 20_000;
const people = [...syntheticProfiles(42, N)];
const traits = Traits.of(people);
const history = syntheticSwipes(traits, 42);

type P = SyntheticProfile;
const share = (xs: P[], f: (p: P) => boolean) => xs.filter(f).length / xs.length;
const mean = (xs: P[], f: (p: P) => number) => xs.reduce((s, p) => s + f(p), 0) / xs.length;
const women = people.filter((p) => p.gender === 'woman');
const men = people.filter((p) => p.gender === 'man');
const binary = [...women, ...men];
const ageCentre = (p: P) => (p.preferred_age_min + p.preferred_age_max) / 2 - p.age;
const heightCentre = (p: P) => (p.preferred_height_min + p.preferred_height_max) / 2 - p.height;
const same = (a: readonly string[] | null, b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b);

describe('syntheticProfiles', () => {
  it('replays the same population from the same seed, another from another', () => {
    expect([...syntheticProfiles(42, 100)]).toEqual(people.slice(0, 100));
    expect([...syntheticProfiles(43, 100)]).not.toEqual(people.slice(0, 100));
  });

  it('only makes profiles the API would accept unchanged', () => {
    const bad = people.filter((p) => {
      const parsed = newProfileSchema.safeParse(p);
      return !parsed.success || JSON.stringify(parsed.data) !== JSON.stringify(p);
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });

  // [what, measured, low, high]
  it.each<[string, () => number, number, number]>([
    ['women', () => women.length / N, 0.465, 0.495],
    ['men', () => men.length / N, 0.465, 0.495],
    ['nonbinary', () => share(people, (p) => p.gender === 'nonbinary'), 0.022, 0.038],
    ['gender not stated', () => share(people, (p) => p.gender === null), 0.005, 0.015],
    ['youngest', () => Math.min(...people.map((p) => p.age)), 18, 18],
    ['oldest', () => Math.max(...people.map((p) => p.age)), 60, 70],
    ['aged 22 to 40', () => share(people, (p) => p.age >= 22 && p.age <= 40), 0.75, 0.9],
    ["women's mean height", () => mean(women, (p) => p.height), 164, 166],
    ["men's mean height", () => mean(men, (p) => p.height), 177, 179],
    ['heights within 140-210', () => share(people, (p) => p.height >= 140 && p.height <= 210), 1, 1],
    ['straight (women and men)', () => share(binary, (p) => same(p.interested_in, [p.gender === 'woman' ? 'man' : 'woman'])), 0.86, 0.9],
    ['gay or lesbian', () => share(binary, (p) => same(p.interested_in, [p.gender!])), 0.05, 0.07],
    ['bi', () => share(binary, (p) => (p.interested_in?.length ?? 0) >= 2), 0.04, 0.06],
    ['open to all', () => share(binary, (p) => p.interested_in === null), 0.005, 0.015],
    ['age range width', () => mean(people, (p) => p.preferred_age_max - p.preferred_age_min), 8.3, 9.7],
    ['height range width', () => mean(people, (p) => p.preferred_height_max - p.preferred_height_min), 33.5, 36.5],
    ["men's age range centre minus own age", () => mean(men, ageCentre), -4, -1],
    ["women's age range centre minus own age", () => mean(women, ageCentre), 1, 4],
    ["women's height range centre minus own height", () => mean(women, heightCentre), 5, 20],
    ["men's height range centre minus own height", () => mean(men, heightCentre), -20, -5],
    ['own age within own range', () => share(people, (p) => p.age >= p.preferred_age_min && p.age <= p.preferred_age_max), 0.75, 1],
    ['with a bio', () => share(people, (p) => p.bio !== null), 0.58, 0.62],
  ])('%s', (_what, measure, lo, hi) => {
    const value = measure();
    expect(value).toBeGreaterThanOrEqual(lo);
    expect(value).toBeLessThanOrEqual(hi);
  });
});

describe('syntheticSwipes', () => {
  const { swiper, swipee, like, matchLow, matchHigh } = history;
  const key = (a: number, b: number) => a * N + b;

  it('is deterministic for a seed', () => {
    expect(syntheticSwipes(traits, 42)).toEqual(history);
  });

  it('averages the asked number of swipes, ~45% of them likes', () => {
    expect(swiper.length / N).toBeGreaterThan(1.85);
    expect(swiper.length / N).toBeLessThan(2.05);
    expect(like.reduce((s, x) => s + x, 0) / like.length).toBeCloseTo(0.45, 1);
    const more = syntheticSwipes(traits, 1, { perUser: 5 });
    expect(more.swiper.length / N).toBeGreaterThan(4.6);
    expect(more.swiper.length / N).toBeLessThan(5.1);
  });

  it('never swipes oneself or the same person twice, and only on people who fit both ways', () => {
    const seen = new Set<number>();
    const problems = { self: 0, twice: 0, unfit: 0 };
    for (let j = 0; j < swiper.length; j++) {
      if (swiper[j] === swipee[j]) problems.self++;
      if (seen.has(key(swiper[j], swipee[j]))) problems.twice++;
      if (!traits.mutual(swiper[j], swipee[j])) problems.unfit++;
      seen.add(key(swiper[j], swipee[j]));
    }
    expect(problems).toEqual({ self: 0, twice: 0, unfit: 0 });
  });

  it('has exactly one match per pair of mutual likes, smaller index first', () => {
    const likes = new Set<number>();
    for (let j = 0; j < swiper.length; j++) if (like[j]) likes.add(key(swiper[j], swipee[j]));
    const expected = [...likes].map((k) => [Math.floor(k / N), k % N]).filter(([a, b]) => a! < b! && likes.has(key(b!, a!)));
    const actual = Array.from(matchLow, (low, j) => [low, matchHigh[j]]);
    expect(actual.length).toBeGreaterThan(N * 0.05); // the answers make matches common enough to test with
    expect(actual.sort(byPair)).toEqual(expected.sort(byPair));
  });
});

const byPair = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!;

describe('Traits', () => {
  it('agrees with the matching engine on who fits whom', () => {
    const r = mulberry32(7);
    const candidate = (i: number): Candidate => {
      const p = people[i]!;
      return { id: i, age: p.age, height: p.height, genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in),
        ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max };
    };
    let fits = 0;
    for (let k = 0; k < 20_000; k++) {
      const a = Math.floor(r() * N);
      const b = k % 10 ? Math.floor(r() * N) : a;
      expect(traits.mutual(a, b)).toBe(mutual(candidate(a), candidate(b)));
      if (traits.mutual(a, b)) fits++;
    }
    expect(fits).toBeGreaterThan(100);
  });
});
