// `npm run evaluate [-- --users N --days D --seed S]`: the ranking's quality on a simulated market
// (bench/market.ts), under three policies ranked by the same engine: preference-only (fit and
// every liker first, the ranking before learning), reciprocal (both directions' estimated odds,
// likers capped), and fair (reciprocal with newcomer and exposure lifts and a congestion penalty).
// Prints a table, then, as its last line, one JSON object {"preference", "reciprocal", "fair"}.
import { parseArgs } from 'node:util';
import { FAIR, PREFERENCE_ONLY, RECIPROCAL } from '../shared/matching/score.js';
import { DEFAULT_MARKET, type MarketOptions, createMarket, simulate } from './market.js';

const { values } = parseArgs({ options: { users: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } } });
const o: MarketOptions = {
  ...DEFAULT_MARKET,
  ...(values.users ? { users: Number(values.users) } : {}),
  ...(values.days ? { days: Number(values.days) } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
};
const t0 = performance.now();
const market = createMarket(o);
const policies = { preference: PREFERENCE_ONLY, reciprocal: RECIPROCAL, fair: FAIR } as const;
const results = Object.fromEntries(Object.entries(policies).map(([name, w]) => [name, simulate(market, o, w)]));
console.error(`market: ${o.users} users over ${o.days} days, seed ${o.seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.table(results);
const base = results.preference!.mutual_match_rate, rec = results.reciprocal!.mutual_match_rate;
console.log(`reciprocal vs preference: ${(100 * (rec / base - 1)).toFixed(1)}% mutual matches per impression; fair vs reciprocal: ${(100 * (results.fair!.mutual_match_rate / rec - 1)).toFixed(1)}%`);
console.log(JSON.stringify(results));
