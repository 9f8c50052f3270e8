// Regression: candidates tied with the K-th on distance, in an age bucket visited later, must still
// win on the smaller id (a bound compared with >= instead of > once skipped them).
import { describe, expect, it } from 'vitest';
import { topKBruteForce } from './brute-force.js';
import { MatchIndex, columnsFrom, swipeViewFrom } from './engine.js';
import { FAIR } from './score.js';
import type { Candidate } from './types.js';

const person = (id: number, age: number): Candidate => ({
  id, age, height: 170, genderBit: 4, interestMask: 2, ageMin: 20, ageMax: 40, heightMin: 150, heightMax: 190,
});

describe('MatchIndex ties', () => {
  it('keeps the smaller ids among equal distances across buckets', () => {
    const asker: Candidate = { id: 1, age: 30, height: 170, genderBit: 2, interestMask: 4, ageMin: 20, ageMax: 40, heightMin: 150, heightMax: 190 };
    // Ages 29 and 31 sit equally far from the asker's centre (30); the larger ids are at 29, visited first.
    const population = [asker, ...[100, 101, 102, 103].map((id) => person(id, 29)), ...[10, 11, 12].map((id) => person(id, 31))];
    const index = new MatchIndex(columnsFrom(population));
    const none = new Int32Array(0);
    for (const k of [1, 3, 4, 6]) {
      const want = topKBruteForce(asker, k, population, { excluded: () => false, likedYou: () => false }, FAIR);
      expect(index.topK(asker, k, swipeViewFrom(none, none)), `k=${k}`).toEqual(want);
    }
  });
});
