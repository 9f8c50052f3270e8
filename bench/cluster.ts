// The single Redis and the Redis Cluster side by side: the same rebuild and cached reads, on the
// same population and users, measured one after the other in one run (bench/run.ts).
import type { CachedReads } from './feed.js';
import type { LoadResult } from './load-client.js';
import type { RebuildBench } from './rebuild.js';
import { int, ms, pct, ratio, spread } from './stats.js';

export interface SideFigures {
  rebuild: RebuildBench;
  reads: CachedReads;
}

export const CLUSTER_HEADER = ['measure', 'single Redis', 'Redis Cluster, 3 masters', 'cluster ÷ single'];

const notOk = (r: LoadResult) => r.requests - (r.statuses['200'] ?? 0) + r.failures;

/** One row a measure: its value on each side and their ratio (cluster over single). */
export function clusterRows(single: SideFigures, cluster: SideFigures): string[][] {
  const rows: string[][] = [];
  const row = (name: string, show: (f: SideFigures) => string, of?: (f: SideFigures) => number) =>
    rows.push([name, show(single), show(cluster), of ? ratio(of(cluster), of(single)) : '']);
  const write = (f: SideFigures) => f.rebuild.summary.busy_ms?.write ?? NaN;
  const mib = (f: SideFigures) => f.rebuild.memory / 2 ** 20;
  row('rebuild: full, all users', (f) => `${(f.rebuild.summary.duration_ms / 1000).toFixed(2)} s`, (f) => f.rebuild.summary.duration_ms);
  row('rebuild: throughput', (f) => `${int(f.rebuild.summary.users_per_s)} users/s`, (f) => f.rebuild.summary.users_per_s);
  row('rebuild: write busy time (summed over partitions)', (f) => `${(write(f) / 1000).toFixed(2)} s`, write);
  row('rebuild: Redis memory added (all masters)', (f) => `${mib(f).toFixed(0)} MiB`, mib);
  row('HTTP: feed page, cached', (f) => `${int(f.reads.http.perSecond)} req/s${notOk(f.reads.http) ? ` (${int(notOk(f.reads.http))} NOT 200)` : ''}`, (f) => f.reads.http.perSecond);
  row('HTTP: latency p50 / p90 / p99', (f) => spread(f.reads.http.latency), (f) => f.reads.http.latency.p50);
  row('HTTP: cache hits', (f) => `${pct(f.reads.http.sources.cache ?? 0, f.reads.http.requests)} of ${int(f.reads.http.requests)}`);
  row('cached read: feed.page(20) alone, sequential, p50 / p99', (f) => `${ms(f.reads.page.p50)} / ${ms(f.reads.page.p99)}`, (f) => f.reads.page.p50);
  if (single.reads.errors || cluster.reads.errors) row('feed cache errors (served live)', (f) => int(f.reads.errors));
  return rows;
}
