// `npm run bench [-- --users N] [--seconds S] [--only cluster]`: every benchmark in one run on a
// throwaway database and Redis prefix (ratios only compare within a run), printed as markdown tables
// and written with the machine's facts to docs/benchmarks.md. The rebuild and the cached reads also
// run on a throwaway local 3-master Redis Cluster, beside the single Redis; `--only cluster` runs just
// that comparison and rewrites only its section of docs/benchmarks.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { seedUsers } from '../scripts/seed.js';
import { query } from '../shared/db.js';
import { LiveIndex } from '../shared/live-index.js';
import { CLUSTER_HEADER, type SideFigures, clusterRows } from './cluster.js';
import { type CachedReads, type FeedReads, benchCachedReads, benchFeedReads, benchLikes } from './feed.js';
import { benchFilterThenSort } from './filter-sort-baseline.js';
import { benchLiveSql } from './live-sql.js';
import { benchMatching } from './matching.js';
import { benchRebuild } from './rebuild.js';
import { type Row, int, sampleIds } from './stats.js';
import { type BenchEnv, openBenchEnv, openClusterEnv } from './throwaway-env.js';

const USAGE = 'usage: npm run bench -- [--users N (default 100000, up to 2000000)] [--seconds S per HTTP load (default 10)] [--only cluster]';
const SAMPLE = 2_000;
const SEED = 42;
const DOC = new URL('../docs/benchmarks.md', import.meta.url);
const CLUSTER_HEADING = '## Redis Cluster beside a single Redis';

function options() {
  const { values } = parseArgs({
    options: { users: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const users = Number(values.users ?? 100_000);
  const seconds = Number(values.seconds ?? 10);
  const bad = !Number.isInteger(users) || users < 1_000 || users > 2_000_000 || !(seconds >= 1 && seconds <= 120) ||
    (values.only !== undefined && values.only !== 'cluster');
  if (values.help || bad) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  return { users, seconds, clusterOnly: values.only === 'cluster' };
}

const log = (m: string) => console.error(`[bench] ${m}`);

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  log(`${what}...`);
  const t0 = performance.now();
  const out = await fn();
  log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

function markdownTable(header: string[], rows: string[][]): string {
  const cell = (s = '') => s.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const rowCells = (rows: Row[]) => rows.map((r) => [r.name, r.value, r.note ?? '']);

/** The docs with the cluster section (the file's last) replaced, or added. */
function withClusterSection(doc: string, section: string): string {
  const at = doc.indexOf(CLUSTER_HEADING);
  return `${(at < 0 ? doc : doc.slice(0, at)).trimEnd()}\n\n${section}`;
}

async function main() {
  const { users, seconds, clusterOnly } = options();
  process.once('SIGINT', () => process.exit(130)); // 'exit' stops the throwaway servers
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!; // other work on the box skews every figure: say how busy it was
  const rows: Row[] = [];
  const feedLoad = { concurrency: 64, seconds, maxRequests: 300_000 };

  if (!clusterOnly) rows.push(...(await timed('pure engine', () => benchMatching({ users }))));

  const env = await openBenchEnv(log);
  let clusterEnv: BenchEnv | undefined;
  try {
    const { res, queues } = env;
    if (env.config.REDIS_CLUSTER === 'on') {
      if (clusterOnly) throw new Error('--only cluster compares a cluster with a single Redis: unset REDIS_CLUSTER');
      log('REDIS_CLUSTER=on: every row is on that cluster, and there is no single Redis to compare it with');
    } else {
      clusterEnv = await timed('start a local 3-master Redis Cluster', () => openClusterEnv(env, log));
    }
    const seed = await timed(`seed ${int(users)} users`, () => seedUsers(res.db, { users, seed: SEED }));
    // Done by autovacuum soon after any bulk load; done now so that it does not land mid-measurement.
    await query(res.db, 'vacuum analyze users, swipes');
    rows.push({ name: 'seed: users, swipes and matches via COPY', value: `${seed.seconds.toFixed(2)} s`,
      note: `${int(seed.users)} users, ${int(seed.swipes)} swipes, ${int(seed.matches)} matches` });

    const rebuild = await timed('full rebuild', () => benchRebuild(res, queues));
    rows.push(...rebuild.rows);
    const clusterRebuild = clusterEnv && (await timed('full rebuild on the cluster', () => benchRebuild(clusterEnv!.res, clusterEnv!.queues)));

    const sample = sampleIds(seed.first_id, seed.last_id, SAMPLE);
    const live = new LiveIndex(res.db, { pollMs: 60_000 }); // Postgres only: both sides share it
    const loadStarted = performance.now();
    await live.ready();
    rows.push({ name: 'live index: load', value: `${((performance.now() - loadStarted) / 1000).toFixed(2)} s`, note: 'COPY of every user + engine index, at API start' });
    let reads: CachedReads;
    let feedReads: FeedReads | undefined;
    if (clusterOnly) {
      reads = await timed('cached feed reads over HTTP', () => benchCachedReads(res, queues, live, sample, feedLoad));
    } else {
      feedReads = await timed('feed reads over HTTP', () => benchFeedReads(res, queues, live, sample, feedLoad));
      rows.push(...feedReads.rows);
      reads = feedReads.cached;
    }
    const clusterReads = clusterEnv && (await timed('cached feed reads over HTTP on the cluster', () => benchCachedReads(clusterEnv!.res, clusterEnv!.queues, live, sample, feedLoad)));
    if (!clusterOnly) {
      const livePath = await timed('live path', () => benchLiveSql(live, sample, seconds));
      rows.push(...livePath.rows);
      rows.push(...(await timed('filter-then-sort baseline', () =>
        benchFilterThenSort(res.db, sample, livePath.topIds, 3 * seconds, { liveMedianMs: livePath.latency.p50, cachedMedianMs: reads.page.p50 }))));
    }
    // Last: likes add swipes, which every measure above would see.
    if (feedReads) rows.push(...(await timed('likes over HTTP', () => benchLikes(res, queues, live, sample, feedLoad, feedReads!.refGet))));
    live.stop();

    const [pgVersion, redisInfo] = await Promise.all([
      query<{ server_version: string }>(res.db, 'show server_version'),
      res.redis.info('server'),
    ]);
    const cpus = os.cpus();
    const runFacts = [
      `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- --users ${users}${clusterOnly ? ' --only cluster' : ''}\` (${Math.round((Date.now() - started) / 1000)} s in all).`,
      `Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
        `PostgreSQL ${pgVersion.rows[0]!.server_version}, Redis ${/redis_version:(\S+)/.exec(redisInfo)?.[1] ?? '?'}.`,
      `Population: ${int(users)} synthetic users (seed ${SEED}), ${int(seed.swipes)} swipes.`,
      `Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`,
      'The load generator, Postgres and Redis share the machine with the API (loopback): compare ratios within one run, not absolute figures between machines.',
    ];
    const httpFact = `HTTP rows: 64 requests in flight, up to ${seconds} s each after 1 s of warm-up, over ${int(sample.length)} random users; latencies are p50 / p90 / p99 (/ max).`;
    let cluster = '';
    if (clusterEnv && clusterRebuild && clusterReads) {
      const side = (r: typeof rebuild, c: CachedReads): SideFigures => ({ rebuild: r, reads: c });
      const clusterFacts = [
        ...(clusterOnly ? runFacts : ['Same run, population and users as above.']),
        `Redis Cluster: three masters, no replicas, started on this machine for the run (as \`REDIS_CLUSTER=on npm test\` starts one), beside the single Redis: one Postgres database, one seeded population, the same ${int(sample.length)} users.`,
        'Each side gets the same full rebuild (the BullMQ flow, in-process workers) and the same cached reads (the API over HTTP, then `feed.page` alone); the single Redis goes first each time. Where a cell holds several figures, the ratio is of the first.',
        ...(clusterOnly ? [httpFact] : []),
      ];
      cluster = `${CLUSTER_HEADING}\n\n${clusterFacts.map((f) => `- ${f}`).join('\n')}\n\n` +
        `${markdownTable(CLUSTER_HEADER, clusterRows(side(rebuild, reads), side(clusterRebuild, clusterReads)))}\n`;
    }
    mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
    if (clusterOnly) {
      writeFileSync(DOC, withClusterSection(existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n', cluster));
      console.log(cluster);
    } else {
      const facts = [...runFacts, httpFact];
      const table = markdownTable(['measure', 'value', 'note'], rowCells(rows));
      writeFileSync(DOC, `# Benchmarks\n\n${facts.map((f) => `- ${f}`).join('\n')}\n\n${table}\n${cluster ? `\n${cluster}` : ''}`);
      console.log(`${table}\n\n${cluster}`);
    }
    log('written to docs/benchmarks.md');
  } finally {
    await clusterEnv?.close();
    await env.close();
  }
}

await main();
