// Each term of boost() pinned to its value, one term at a time. The engine's tests compare it with a
// brute force that calls the same boost(), so they cannot notice a term that is wrong the same way
// in both: these can (found by mutation testing, npm run mutate).
import { describe, expect, it } from 'vitest';
import { FAIR, MAX_BOOST, PREFERENCE_ONLY, RECIPROCAL, type Weights, boost, checkWeights } from './score.js';
import type { Candidate } from './types.js';

const v = (o: Partial<Candidate> = {}): Candidate => ({
  id: 1, age: 30, height: 170, genderBit: 2, interestMask: 4, ageMin: 25, ageMax: 35, heightMin: 160, heightMax: 190, ...o,
});
/** Only the named terms on (PREFERENCE_ONLY has every boost term off). */
const only = (o: Partial<Weights>): Weights => ({ ...PREFERENCE_ONLY, ...o });

describe('boost, term by term', () => {
  it('is 0 with every term off, whatever the counters', () => {
    expect(boost(v({ likesReceived: 500, passesGiven: 3, days: 2, idleDays: 9, reach: 5 }), PREFERENCE_ONLY)).toBe(0);
  });

  it('appeal and warmth: points per logit of the smoothed rate above the prior', () => {
    // (30 + 10 * 0.4) / (40 + 10) = 0.68: logit 0.754 against -0.405 for the prior.
    expect(boost(v({ likesReceived: 30, passesReceived: 10 }), only({ appeal: 120 }))).toBe(139);
    expect(boost(v({ likesGiven: 30, passesGiven: 10 }), only({ appeal: 120 }))).toBe(0); // given counts are warmth's
    expect(boost(v({ likesGiven: 5, passesGiven: 45 }), only({ warmth: 120 }))).toBe(-159);
    expect(boost(v(), only({ appeal: 120, warmth: 120 }))).toBe(0); // a newcomer starts neutral
  });

  it('newcomer lift: full on the first day, falling linearly to 0 at newcomerDays', () => {
    const w = only({ newcomerLift: 120, newcomerDays: 14 });
    expect([0, 7, 13, 14, 30].map((days) => boost(v({ days }), w))).toEqual([120, 60, 9, 0, 0]);
  });

  it('exposure lift: full for someone shown to nobody, 0 from exposureTarget swipes received a day', () => {
    const w = only({ exposureLift: 800, exposureTarget: 8 });
    expect(boost(v({ days: 0 }), w)).toBe(800);
    expect(boost(v({ days: 1, likesReceived: 5, passesReceived: 3 }), w)).toBe(400); // 8 over 2 days: half the target
    expect(boost(v({ days: 0, likesReceived: 8 }), w)).toBe(0);
    expect(boost(v({ days: 0, passesReceived: 100 }), w)).toBe(0); // never below 0
  });

  it('idle lift: rising linearly to idleLift at idleDays since anyone swiped on them', () => {
    const w = only({ idleLift: 500, idleDays: 7 });
    expect([0, 3, 7, 20].map((idleDays) => boost(v({ idleDays }), w))).toEqual([0, 214, 500, 500]);
  });

  it('congestion: points per log unit by which likes waiting exceed congestionRatio times the swipes given, smoothed', () => {
    const w = only({ congestion: 400, congestionRatio: 0.5 });
    expect(boost(v({ likesReceived: 30, likesGiven: 4, passesGiven: 6 }), w)).toBe(-555); // log(40 / (0.5 * 20))
    expect(boost(v(), w)).toBe(-277); // log(10 / 5): at ratio 0.5 even a newcomer carries some
    expect(boost(v({ likesReceived: 5, passesReceived: 50, likesGiven: 40, passesGiven: 60 }), w)).toBe(0); // answers more than it gets
  });

  it('show cap: points per log unit by which swipes received exceed showCapRatio times the swipes given', () => {
    const w = only({ showCap: 200, showCapRatio: 1 });
    expect(boost(v({ likesReceived: 20, passesReceived: 30 }), w)).toBe(-358); // log(60 / 10)
    expect(boost(v({ likesReceived: 20, passesReceived: 30, likesGiven: 25, passesGiven: 25 }), w)).toBe(0); // answers as much as it is shown
  });

  it('reach: points per log unit from reachRef, none while unknown', () => {
    const w = only({ reachLog: 300, reachRef: 100_000 });
    expect(boost(v({ reach: 10_000 }), w)).toBe(691);
    expect(boost(v({ reach: 500_000 }), w)).toBe(-483);
    expect(boost(v({ reach: 0 }), w)).toBe(0);
    const capped = only({ reachLog: 300, reachRef: 100_000, reachMax: 300 });
    expect([1_000, 10_000, 50_000, 200_000, 1_000_000].map((reach) => boost(v({ reach }), capped))).toEqual([300, 300, 208, -208, -300]);
  });

  it('stays inside ±(MAX_BOOST - 1), the engine slots', () => {
    expect(boost(v({ likesReceived: 1e6 }), only({ appeal: 1000 }))).toBe(MAX_BOOST - 1);
    expect(boost(v({ passesReceived: 1e6 }), only({ appeal: 1000 }))).toBe(-(MAX_BOOST - 1));
  });
});

describe('checkWeights', () => {
  it('accepts the three policies and the bounds themselves', () => {
    for (const w of [PREFERENCE_ONLY, RECIPROCAL, FAIR]) expect(() => checkWeights(w)).not.toThrow();
    expect(() => checkWeights({ ...FAIR, likedYouBonus: 2000, interest: 250, interestCap: 4 })).not.toThrow();
    expect(() => checkWeights({ ...FAIR, likedYouBonus: 0, interest: 0, interestCap: 0, likerCap: 0, reachMax: 0 })).not.toThrow();
  });

  it.each<[string, Partial<Weights>]>([
    ['a bonus above 2000', { likedYouBonus: 2001 }],
    ['a negative bonus', { likedYouBonus: -1 }],
    ['a fractional bonus', { likedYouBonus: 1.5 }],
    ['a fractional interest weight', { interest: 1.5 }],
    ['a negative interest weight', { interest: -1 }],
    ['a fractional interest cap', { interestCap: 1.5 }],
    ['a negative interest cap', { interestCap: -1 }],
    ['interest points above 1000', { interest: 251, interestCap: 4 }],
    ['a fractional liker cap', { likerCap: 1.5 }],
    ['a negative liker cap', { likerCap: -1 }],
    ['a prior rate of 0', { priorRate: 0 }],
    ['a prior rate of 1', { priorRate: 1 }],
    ['no prior swipes', { priorSwipes: 0 }],
    ['no newcomer days', { newcomerDays: 0 }],
    ['no exposure target', { exposureTarget: 0 }],
    ['no idle days', { idleDays: 0 }],
    ['no congestion ratio', { congestionRatio: 0 }],
    ['no show cap ratio', { showCapRatio: 0 }],
    ['no reach reference', { reachRef: 0 }],
    ['a negative reach cap', { reachMax: -1 }],
  ])('refuses %s', (_, o) => {
    expect(() => checkWeights({ ...FAIR, ...o })).toThrow(RangeError);
  });
});
