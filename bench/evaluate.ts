// `npm run evaluate [-- --users N --days D --seed S]`: the ranking's quality on a simulated market
// (bench/market.ts), under three policies ranked by the same engine: preference-only (fit and
// every liker first, the ranking before learning), reciprocal (both directions' estimated odds,
// likers capped), and fair (reciprocal with newcomer and exposure lifts and a congestion penalty).
// Prints a table, then, as its last line, one JSON object {"preference", "reciprocal", "fair"}.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { FAIR, PREFERENCE_ONLY, RECIPROCAL } from '../shared/matching/score.js';
import { DEFAULT_MARKET, type MarketOptions, type PolicyResult } from './market.js';

const { values } = parseArgs({ options: { users: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } } });
const o: MarketOptions = {
  ...DEFAULT_MARKET,
  ...(values.users ? { users: Number(values.users) } : {}),
  ...(values.days ? { days: Number(values.days) } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
};
const t0 = performance.now();
const policies = { preference: PREFERENCE_ONLY, reciprocal: RECIPROCAL, fair: FAIR } as const;

/** One policy's run in its own thread (bench/evaluate-policy.ts builds the same market from the seed). */
const run = (weights: object) =>
  new Promise<PolicyResult>((resolve, reject) => {
    const worker = new Worker(new URL('./evaluate-thread.mjs', import.meta.url), { workerData: { options: o, weights } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
// As many at once as there are cores; results do not depend on it.
const results: Record<string, PolicyResult> = {};
const queue = Object.entries(policies);
await Promise.all(
  Array.from({ length: Math.min(queue.length, availableParallelism()) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results[next[0]] = await run(next[1]);
  }),
);
const ordered = Object.fromEntries(Object.keys(policies).map((name) => [name, results[name]!]));
console.error(`market: ${o.users} users over ${o.days} days, seed ${o.seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.table(ordered);
const base = ordered.preference!.mutual_match_rate, rec = ordered.reciprocal!.mutual_match_rate;
console.log(`reciprocal vs preference: ${(100 * (rec / base - 1)).toFixed(1)}% mutual matches per impression; fair vs reciprocal: ${(100 * (ordered.fair!.mutual_match_rate / rec - 1)).toFixed(1)}%`);
console.log(JSON.stringify(ordered));
