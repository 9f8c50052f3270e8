import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPartitions } from './rebuild-plan.js';

const cell = (gender_bit: number, age: number, height: number, n: number) => ({ gender_bit, age, height, n });

describe('planPartitions', () => {
  it('never mixes genders and balances head counts', () => {
    const cells = [cell(2, 20, 160, 50), cell(2, 21, 165, 50), cell(2, 22, 170, 50), cell(4, 20, 180, 100), cell(4, 30, 181, 50)];
    expect(planPartitions(cells, 3)).toEqual([
      { genderBit: 2, from: [20, 160], to: [21, 165], users: 100 },
      { genderBit: 2, from: [22, 170], to: [22, 170], users: 50 },
      { genderBit: 4, from: [20, 180], to: [20, 180], users: 100 },
      { genderBit: 4, from: [30, 181], to: [30, 181], users: 50 },
    ]);
    expect(planPartitions([], 4)).toEqual([]);
  });

  it('covers every cell exactly once, in order', () => {
    const cells = fc.uniqueArray(fc.tuple(fc.constantFrom(1, 2, 4, 8), fc.integer({ min: 18, max: 120 }), fc.integer({ min: 100, max: 250 }), fc.integer({ min: 1, max: 500 })), {
      selector: ([g, a, h]) => `${g}-${a}-${h}`,
      maxLength: 200,
    });
    fc.assert(
      fc.property(cells, fc.integer({ min: 1, max: 40 }), (raw, wanted) => {
        const sorted = raw.map(([g, a, h, n]) => cell(g, a, h, n)).sort((x, y) => x.gender_bit - y.gender_bit || x.age - y.age || x.height - y.height);
        const plan = planPartitions(sorted, wanted);
        const total = sorted.reduce((s, c) => s + c.n, 0);
        expect(plan.reduce((s, p) => s + p.users, 0)).toBe(total);
        for (const c of sorted) {
          const owners = plan.filter((p) => p.genderBit === c.gender_bit && cmp([c.age, c.height], p.from) >= 0 && cmp([c.age, c.height], p.to) <= 0);
          expect(owners).toHaveLength(1);
        }
      }),
    );
  });
});

const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
