// `npm run bench [-- --users N] [--seconds S]`: every benchmark in one run on a throwaway database and
// Redis prefix (ratios only compare within a run), printed as one markdown table and written with
// the machine's facts to docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { seedUsers } from '../scripts/seed.js';
import { query } from '../shared/db.js';
import { LiveIndex } from '../shared/live-index.js';
import { benchFeedReads } from './feed.js';
import { benchFilterThenSort } from './filter-sort-baseline.js';
import { benchLiveSql } from './live-sql.js';
import { benchMatching } from './matching.js';
import { benchRebuild } from './rebuild.js';
import { type Row, int, sampleIds } from './stats.js';
import { openBenchEnv } from './throwaway-env.js';

const USAGE = 'usage: npm run bench -- [--users N (default 100000, up to 2000000)] [--seconds S per HTTP load (default 10)]';
const SAMPLE = 2_000;
const SEED = 42;

function options() {
  const { values } = parseArgs({ options: { users: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const users = Number(values.users ?? 100_000);
  const seconds = Number(values.seconds ?? 10);
  if (values.help || !Number.isInteger(users) || users < 1_000 || users > 2_000_000 || !(seconds >= 1 && seconds <= 120)) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  return { users, seconds };
}

const log = (m: string) => console.error(`[bench] ${m}`);

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  log(`${what}...`);
  const t0 = performance.now();
  const out = await fn();
  log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

function markdownTable(rows: Row[]): string {
  const cell = (s = '') => s.replace(/\|/g, '\\|');
  return ['| measure | value | note |', '| --- | --- | --- |', ...rows.map((r) => `| ${cell(r.name)} | ${cell(r.value)} | ${cell(r.note)} |`)].join('\n');
}

async function main() {
  const { users, seconds } = options();
  process.once('SIGINT', () => process.exit(130)); // 'exit' stops the throwaway servers
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!; // other work on the box skews every figure: say how busy it was
  const rows: Row[] = [];

  rows.push(...(await timed('pure engine', () => benchMatching({ users }))));

  const env = await openBenchEnv(log);
  try {
    const { res, queues } = env;
    const seed = await timed(`seed ${int(users)} users`, () => seedUsers(res.db, { users, seed: SEED }));
    // Done by autovacuum soon after any bulk load; done now so that it does not land mid-measurement.
    await query(res.db, 'vacuum analyze users, swipes');
    rows.push({ name: 'seed: users, swipes and matches via COPY', value: `${seed.seconds.toFixed(2)} s`,
      note: `${int(seed.users)} users, ${int(seed.swipes)} swipes, ${int(seed.matches)} matches` });

    rows.push(...(await timed('full rebuild', () => benchRebuild(res, queues))));

    const sample = sampleIds(seed.first_id, seed.last_id, SAMPLE);
    const live = new LiveIndex(res.db, { pollMs: 60_000 });
    const loadStarted = performance.now();
    await live.ready();
    rows.push({ name: 'live index: load', value: `${((performance.now() - loadStarted) / 1000).toFixed(2)} s`, note: 'COPY of every user + engine index, at API start' });
    const feed = await timed('feed reads over HTTP', () => benchFeedReads(res, queues, live, sample, { concurrency: 64, seconds, maxRequests: 300_000 }));
    rows.push(...feed.rows);
    const livePath = await timed('live path', () => benchLiveSql(live, sample, seconds));
    live.stop();
    rows.push(...livePath.rows);
    rows.push(...(await timed('filter-then-sort baseline', () =>
      benchFilterThenSort(res.db, sample, livePath.topIds, 3 * seconds, { liveMedianMs: livePath.latency.p50, cachedMedianMs: feed.cachedPage.p50 }))));

    const [pgVersion, redisInfo] = await Promise.all([
      query<{ server_version: string }>(res.db, 'show server_version'),
      res.redis.info('server'),
    ]);
    const table = markdownTable(rows);
    const cpus = os.cpus();
    const facts = [
      `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- --users ${users}\` (${Math.round((Date.now() - started) / 1000)} s in all).`,
      `Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
        `PostgreSQL ${pgVersion.rows[0]!.server_version}, Redis ${/redis_version:(\S+)/.exec(redisInfo)?.[1] ?? '?'}.`,
      `Population: ${int(users)} synthetic users (seed ${SEED}), ${int(seed.swipes)} swipes.`,
      `Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`,
      'The load generator, Postgres and Redis share the machine with the API (loopback): compare ratios within one run, not absolute figures between machines.',
      `HTTP rows: 64 requests in flight, up to ${seconds} s each after 1 s of warm-up, over ${int(sample.length)} random users; latencies are p50 / p90 / p99 (/ max).`,
    ];
    mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
    writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), `# Benchmarks\n\n${facts.map((f) => `- ${f}`).join('\n')}\n\n${table}\n`);
    console.log(table);
    log('written to docs/benchmarks.md');
  } finally {
    await env.close();
  }
}

await main();
