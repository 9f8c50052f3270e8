import type { Columns } from './columns.js';
import { countingSort } from './buckets.js';

/**
 * The rows of `cols` in an order that is kind to the CPU cache: by gender, interests, then the
 * centres of the preferred ranges, so that consecutive askers search the same buckets. Asking
 * in this order (or in slices of it, one per partition) measured about 20% faster than random.
 */
export function askerOrder(cols: Columns): Int32Array {
  const n = cols.length;
  const byHeight = countingSort(n, 511, (i) => cols.heightMin[i]! + cols.heightMax[i]!, null).order;
  const byAge = countingSort(n, 511, (i) => cols.ageMin[i]! + cols.ageMax[i]!, byHeight).order;
  return countingSort(n, 65536, (i) => cols.genderBit[i]! * 256 + cols.interestMask[i]!, byAge).order;
}
