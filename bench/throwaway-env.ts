// The benchmark's own Postgres database and Redis prefix, on throwaway servers unless DATABASE_URL /
// REDIS_URL are set, so that a run never reads or touches anyone's data; close() removes it all.
import { randomBytes } from 'node:crypto';
import { ensureLocalServices } from '../scripts/lib/local-services.js';
import { type Config, parseConfig } from '../shared/config.js';
import { createPool, query } from '../shared/db.js';
import { type Queues, bullPrefix, openQueues } from '../shared/queues.js';
import { type Resources, openResources } from '../shared/resources.js';

export interface BenchEnv {
  config: Config;
  res: Resources;
  queues: Queues;
  close(): Promise<void>;
}

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

export async function openBenchEnv(log: (m: string) => void): Promise<BenchEnv> {
  const sharedRedis = Boolean(process.env.REDIS_URL); // a server we did not start: clean our keys off it
  const services = await ensureLocalServices('test', log);
  const admin = createPool(services.databaseUrl, 1);
  const database = `mm_bench_${process.pid}`;
  const prefix = `bench${process.pid}`;
  const cleanups: (() => Promise<unknown>)[] = [() => services.stop(), () => admin.end()];
  const close = async () => { // in reverse order of opening
    for (const step of cleanups.reverse()) await step().catch((err) => log(`cleanup: ${(err as Error).message}`));
  };
  try {
    await query(admin, `drop database if exists ${database} with (force)`);
    await query(admin, `create database ${database}`);
    cleanups.push(() => query(admin, `drop database if exists ${database} with (force)`));
    const config = parseConfig({
      NODE_ENV: 'test',
      DATABASE_URL: withDb(services.databaseUrl, database),
      REDIS_URL: services.redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'warn',
      PORT: '0',
      // A benchmark is one client reading as fast as it can: exactly what the limits stop.
      RATE_LIMITS: 'off',
    });
    const res = await openResources(config, 'bench'); // migrates the new database
    cleanups.push(() => res.close());
    if (sharedRedis) cleanups.push(() => dropKeys(res, [`${prefix}:*`, `${bullPrefix(config)}:*`]));
    const queues = openQueues(config);
    cleanups.push(() => queues.close());
    return { config, res, queues, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Deletes our keys from a Redis we share, a SCAN page at a time. */
async function dropKeys(res: Resources, patterns: string[]): Promise<void> {
  for (const match of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await res.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (keys.length) await res.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
