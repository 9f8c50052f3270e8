import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FAIR, PREFERENCE_ONLY } from '../shared/matching/score.js';
import { mulberry32 } from '../scripts/lib/synthetic.js';
import { DEFAULT_MARKET, calibrate, createMarket, gini, likeLogit, simulate } from './market.js';

const small = { ...DEFAULT_MARKET, users: 400, days: 14, listSize: 20 };

describe('gini', () => {
  it.each([
    [[1, 1, 1, 1], 0],
    [[0, 0, 0, 4], 0.75],
    [[0, 1], 0.5],
    [[], 0],
    [[0, 0], 0],
  ])('of %j is %d', (xs, g) => expect(gini(xs)).toBeCloseTo(g, 10));

  it('stays within [0, 1) and ignores order and scale', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1 }), fc.integer({ min: 1, max: 9 }), (xs, k) => {
        const g = gini(xs);
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThan(1);
        expect(gini([...xs].reverse())).toBeCloseTo(g, 9);
        expect(gini(xs.map((x) => x * k))).toBeCloseTo(g, 9);
      }),
    );
  });
});

describe('market', () => {
  const market = createMarket(small);

  it('is calibrated: random eligible pairs are liked at the target rate', () => {
    const again = calibrate(market, 0.4, mulberry32(99)); // other pairs, same people
    expect(Math.abs(again - market.intercept)).toBeLessThan(0.1);
    const p = (x: number) => 1 / (1 + Math.exp(-x));
    const u = market.people[0]!, v = market.people[1]!;
    expect(p(market.intercept + likeLogit(u, v))).toBeGreaterThan(0);
  });

  it('replays from its seed, and leaves the market unchanged', () => {
    const a = simulate(market, small, FAIR);
    expect(market.people.every((p) => p.c.likesGiven === 0 && p.c.likesReceived === 0)).toBe(true);
    const { rank_us_per_user: _a, ...first } = a;
    const { rank_us_per_user: _b, ...second } = simulate(createMarket(small), small, FAIR);
    expect(second).toEqual(first);
  });

  it('keeps its books: matches need two likes, rates are shares, likes near the calibrated rate', () => {
    for (const w of [PREFERENCE_ONLY, FAIR]) {
      const r = simulate(market, small, w);
      expect(r.impressions).toBeGreaterThan(1000);
      expect(r.mutual_match_rate).toBeGreaterThan(0.02);
      expect(2 * r.matches).toBeLessThanOrEqual(r.like_rate * r.impressions + 1e-6);
      expect(r.mutual_match_rate).toBeCloseTo(r.matches / r.impressions, 4);
      for (const share of [r.exposure_gini, r.zero_exposure_share, r.no_match_30d_share, r.unshowable_share]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
      expect(r.like_rate).toBeGreaterThan(0.3);
      expect(r.like_rate).toBeLessThan(0.6);
    }
  });
});
