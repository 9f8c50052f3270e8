// Shared arrays: the same contents and types, on memory a thread handed them reads (not a copy).
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allShared, shareArrays } from './shared-arrays.js';

describe('shareArrays', () => {
  it('keeps every typed array’s type and contents, and the rest as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }), fc.string(), (xs, s) => {
        const base = Int32Array.from(xs.concat(0, 0));
        const value = {
          ints: base.subarray(1, base.length - 1), // a view into a larger buffer: only its own bytes
          bytes: Uint8Array.from(xs, (x) => x & 255),
          floats: Float64Array.from(xs),
          nested: [{ shorts: Int16Array.from(xs) }, s, null],
          byName: new Map([['a', Uint16Array.from(xs, (x) => x & 0xffff)]]),
          n: xs.length,
          s,
        };
        const shared = shareArrays(value);
        expect(allShared(shared)).toBe(true);
        expect(allShared(value)).toBe(false);
        expect(shared).toEqual(value);
        expect(shared.ints).toBeInstanceOf(Int32Array);
        expect(shared.ints.byteLength).toBe(xs.length * 4);
        expect(shared.nested[0]).not.toBe(value.nested[0]);
        // Already shared: kept as is.
        expect(shareArrays(shared).ints).toBe(shared.ints);
      }),
    );
  });

  it('hands a thread the same memory: a write there is seen here', async () => {
    const { counts } = shareArrays({ counts: new Int32Array(4) });
    const thread = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads'); workerData.counts[2] = 42; parentPort.postMessage('done');`,
      { eval: true, workerData: { counts } },
    );
    await new Promise((resolve) => thread.once('message', resolve));
    await thread.terminate();
    expect(Array.from(counts)).toEqual([0, 0, 42, 0]);
  });
});
