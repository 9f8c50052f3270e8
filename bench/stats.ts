// Shared by the benchmark modules: result rows, latency percentiles and number formatting.
import { mulberry32 } from '../scripts/lib/synthetic.js';

export interface Row {
  name: string;
  value: string;
  note?: string;
}

export interface Latency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in ms (the array is sorted in place). */
export function latency(ms: Float64Array | number[]): Latency {
  const s = Float64Array.from(ms).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN);
  return { n: s.length, p50: at(50), p90: at(90), p99: at(99), max: s.length ? s[s.length - 1]! : NaN };
}

/** Milliseconds with about three significant digits. */
export const ms = (x: number) => `${x < 1 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)} ms`;

export const int = (x: number) => Math.round(x).toLocaleString('en-US');

export const ratio = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}x`;

export const pct = (part: number, whole: number) => `${whole ? ((100 * part) / whole).toFixed(1) : '0'}%`;

/** p50 / p90 / p99 (/ max) in one cell. */
export const spread = (l: Latency, withMax = false) =>
  `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)}${withMax ? ` / ${ms(l.max)}` : ''}`;

export const sleep = (msecs: number) => new Promise((r) => setTimeout(r, msecs));

/** `count` distinct ids drawn from first..last. */
export function sampleIds(first: number, last: number, count: number, seed = 1): number[] {
  const rand = mulberry32(seed);
  const span = last - first + 1;
  const picked = new Set<number>();
  while (picked.size < Math.min(count, span)) picked.add(first + Math.floor(rand() * span));
  return [...picked];
}

/** Runs `fn` over items with `concurrency` loops, stopping after `maxCount` calls or at `deadline` (ms, performance.now()). */
export async function closedLoop<T>(items: readonly T[], concurrency: number, maxCount: number, deadline: number, fn: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const loop = async () => {
    while (next < maxCount && performance.now() < deadline) await fn(items[next++ % items.length]!);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return next;
}
