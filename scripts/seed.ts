// `npm run seed -- --users N [--seed S] [--swipes-per-user K]`: adds N synthetic, realistic users with
// their swipes and matches through COPY, in one transaction. Only ever adds: nothing is deleted.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { BULK, type Pool, copyIn, createPool, rows as queryRows, withTransaction } from '../shared/db.js';
import { migrate } from '../shared/migrate.js';
import { chunks, copyUsers, dropIndexesIfEmpty, reserveUserIds, skipForeignKeyChecks } from './lib/copy-users.js';
import { localConfig } from './lib/local-env.js';
import { runInBackground } from '../shared/priority.js';
import { Traits, syntheticProfiles, syntheticSwipes } from './lib/synthetic.js';

export interface Progress {
  phase(name: string, total: number): void;
  rows(n: number): void;
  done(): void;
}

export interface SeedOptions {
  users: number;
  seed: number;
  swipesPerUser?: number;
  progress?: Progress;
}

export interface SeedSummary {
  users: number;
  first_id: number;
  last_id: number;
  swipes: number;
  matches: number;
  seed: number;
  seconds: number;
  users_per_s: number;
  /** Whether the secondary indexes were updated during the COPY, or dropped and rebuilt (fresh database, large load). */
  indexes: 'maintained' | 'rebuilt';
  /** False when the swipes' and matches' foreign keys went unchecked (see skipForeignKeyChecks). */
  fk_checks: boolean;
  /** Seconds per step: users (COPY, index upkeep included when maintained), swipes_generate, swipes, matches, index_build (when rebuilt), commit, vacuum_analyze. */
  phases: Record<string, number>;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

const secs = (ms: number) => Math.round(ms) / 1000;

/** Loads a synthetic population, its swipes and their matches; all or nothing, then vacuums and analyzes the tables. */
export async function seedUsers(pool: Pool, opts: SeedOptions): Promise<SeedSummary> {
  const { users, seed, progress } = opts;
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = secs(now - mark);
    mark = now;
  };
  const ids = await reserveUserIds(pool, users);
  // The swipe generator needs everyone's ages and ranges: kept packed while the profiles stream past.
  const traits = new Traits(users);
  function* profiles() {
    let i = 0;
    for (const p of syntheticProfiles(seed, users)) {
      traits.set(i++, p);
      yield p;
    }
  }
  const rows = (n: number) => progress?.rows(n);
  const counts = await withTransaction(pool, async (tx): Promise<Pick<SeedSummary, 'swipes' | 'matches' | 'indexes' | 'fk_checks'>> => {
    if (users === 0) return { swipes: 0, matches: 0, indexes: 'maintained', fk_checks: true };
    const rebuild = await dropIndexesIfEmpty(tx, users);
    progress?.phase('users', users);
    await copyUsers(tx, ids, profiles(), rows);
    lap('users');
    const h = syntheticSwipes(traits, seed, { perUser: opts.swipesPerUser });
    lap('swipes_generate');
    const id = (index: number) => ids.first + index;
    const fkChecks = !(await skipForeignKeyChecks(tx, ['swipes', 'matches']));
    progress?.phase('swipes', h.swiper.length);
    const swipes = await copyIn(tx, 'copy swipes (swiper_id, swipee_id, kind) from stdin', chunks(range(h.swiper.length),
      (j) => `${id(h.swiper[j])}\t${id(h.swipee[j])}\t${h.like[j] ? 'like' : 'pass'}\n`, rows));
    lap('swipes');
    progress?.phase('matches', h.matchLow.length);
    const matches = await copyIn(tx, 'copy matches (user_low, user_high) from stdin', chunks(range(h.matchLow.length),
      (j) => `${id(h.matchLow[j])}\t${id(h.matchHigh[j])}\n`, rows));
    lap('matches');
    if (rebuild.length) progress?.phase('indexes', rebuild.length);
    for (const create of rebuild) {
      await tx.query(create);
      rows(1);
    }
    if (rebuild.length) lap('index_build');
    // COPY wrote the swipes without counter deltas: count them from the table (one statement).
    await queryRows(tx, 'recount_swipe_counts');
    lap('swipe_counts');
    progress?.done();
    return { swipes, matches, indexes: rebuild.length ? 'rebuilt' : 'maintained', fk_checks: fkChecks };
  });
  lap('commit');
  // VACUUM as well as ANALYZE: the inserts otherwise trigger an autovacuum of users and of swipes soon
  // after, under the first rebuild or the first traffic (at 1M users both ran during the first rebuild);
  // here it costs about a second, and the pages' hint bits and visibility map are set once.
  await pool.query('vacuum (analyze) users, swipes, matches');
  lap('vacuum_analyze');
  const seconds = secs(performance.now() - started);
  return {
    users, first_id: ids.first, last_id: ids.first + users - 1, ...counts, seed, seconds,
    users_per_s: seconds > 0 ? Math.round(users / seconds) : users, phases,
  };
}

/** One bar per phase on stderr (only used when stderr is a terminal). */
function progressBar(): Progress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    phase(name, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar({ format: `${name.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | eta {eta}s`, hideCursor: true },
        cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    rows: (n) => bar?.increment(n),
    done() {
      bar?.stop();
      bar = undefined;
    },
  };
}

const USAGE = 'usage: npm run seed -- --users N [--seed S] [--swipes-per-user K]';

function options(): SeedOptions {
  const { values } = parseArgs({
    options: { users: { type: 'string' }, seed: { type: 'string' }, 'swipes-per-user': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) throw new Error(USAGE);
  const int = (v: string | undefined, name: string, max: number) => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > max) throw new Error(`--${name} must be an integer from 0 to ${max}\n${USAGE}`);
    return Number(v);
  };
  const perUser = values['swipes-per-user'];
  if (perUser !== undefined && !(Number(perUser) >= 0 && Number(perUser) <= 50)) throw new Error(`--swipes-per-user must be a number from 0 to 50\n${USAGE}`);
  return {
    users: int(values.users, 'users', 10_000_000),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int(values.seed, 'seed', 2 ** 32 - 1),
    swipesPerUser: perUser === undefined ? undefined : Number(perUser),
  };
}

async function main() {
  let opts: SeedOptions;
  try {
    opts = options();
  } catch (err) {
    const message = (err as Error).message;
    console.error(message.includes(USAGE) ? message : `${message}\n${USAGE}`);
    process.exit(2);
  }
  runInBackground();
  const config = await localConfig();
  const pool = createPool(config.DATABASE_URL, { ...BULK, max: 2, background: true });
  try {
    await migrate(pool);
    const s = await seedUsers(pool, { ...opts, progress: process.stderr.isTTY ? progressBar() : undefined });
    const n = (x: number) => x.toLocaleString('en-US');
    console.log(`seeded ${n(s.users)} users (ids ${s.first_id}-${s.last_id}), ${n(s.swipes)} swipes, ${n(s.matches)} matches` +
      ` in ${s.seconds} s (${n(s.users_per_s)} users/s), seed ${s.seed}`);
    console.log(JSON.stringify(s));
    // Their rows predate the incremental pass's watermark: the full rebuild is what lists them.
    console.error('next: `npm run rebuild` puts them in everyone\'s cached feeds (the live path has them already)');
  } finally {
    await pool.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
