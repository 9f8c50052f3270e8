// The benchmark's own Postgres database and Redis prefix, on throwaway servers unless DATABASE_URL /
// REDIS_URL are set, so that a run never reads or touches anyone's data; close() removes it all.
// openClusterEnv adds a throwaway local Redis Cluster on the same database, to compare the two.
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { ensureLocalServices } from '../scripts/lib/local-services.js';
import { type Config, parseConfig } from '../shared/config.js';
import { createPool, query } from '../shared/db.js';
import { type Queues, bullPrefix, openQueues } from '../shared/queues.js';
import { isCluster } from '../shared/redis.js';
import { type Resources, openResources } from '../shared/resources.js';

export interface BenchEnv {
  config: Config;
  res: Resources;
  queues: Queues;
  /** The Postgres server's admin URL, without the benchmark's database. */
  adminUrl: string;
  close(): Promise<void>;
}

type Log = (m: string) => void;
type Cleanup = () => Promise<unknown>;

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

/** Runs the cleanups in reverse order of opening, each whatever the others did. */
const closer = (cleanups: Cleanup[], log: Log) => async () => {
  for (const step of cleanups.reverse()) await step().catch((err) => log(`cleanup: ${(err as Error).message}`));
};

export async function openBenchEnv(log: Log): Promise<BenchEnv> {
  const sharedRedis = Boolean(process.env.REDIS_URL); // a server we did not start: clean our keys off it
  const services = await ensureLocalServices('test', log);
  const admin = createPool(services.databaseUrl, 1);
  const database = `mm_bench_${process.pid}`;
  const cleanups: Cleanup[] = [() => services.stop(), () => admin.end()];
  const close = closer(cleanups, log);
  try {
    await query(admin, `drop database if exists ${database} with (force)`);
    await query(admin, `create database ${database}`);
    cleanups.push(() => query(admin, `drop database if exists ${database} with (force)`));
    const side = await openSide(withDb(services.databaseUrl, database), services.redisUrl, services.redisCluster, sharedRedis, cleanups);
    return { ...side, adminUrl: services.databaseUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The same database as `base`, with a throwaway local 3-master Redis Cluster (as `REDIS_CLUSTER=on npm test` starts one). */
export async function openClusterEnv(base: BenchEnv, log: Log): Promise<BenchEnv> {
  const services = await ensureLocalServices('test', log, { DATABASE_URL: base.adminUrl, REDIS_CLUSTER: 'on' });
  const cleanups: Cleanup[] = [() => services.stop()]; // stops the cluster only: Postgres is base's
  const close = closer(cleanups, log);
  try {
    const side = await openSide(base.config.DATABASE_URL, services.redisUrl, true, false, cleanups);
    return { ...side, adminUrl: base.adminUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function openSide(databaseUrl: string, redisUrl: string, cluster: boolean, sharedRedis: boolean, cleanups: Cleanup[]) {
  const prefix = `bench${process.pid}`;
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_CLUSTER: cluster ? 'on' : 'off',
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    PORT: '0',
    // A benchmark is one client reading as fast as it can: exactly what the limits stop.
    RATE_LIMITS: 'off',
  });
  const res = await openResources(config, 'bench'); // migrates a new database
  cleanups.push(() => res.close());
  if (sharedRedis) cleanups.push(() => dropKeys(res, [`${prefix}:*`, `${bullPrefix(config)}:*`]));
  const queues = openQueues(config);
  cleanups.push(() => queues.close());
  return { config, res, queues };
}

/** Every master of a cluster, or the one server. */
export const redisNodes = (res: Resources) => (isCluster(res.redis) ? (res.redis as unknown as Cluster).nodes('master') : [res.redis]);

/** Deletes our keys from a Redis we share, a SCAN page at a time on each node (one UNLINK per key: a cluster refuses keys of several slots in one). */
async function dropKeys(res: Resources, patterns: string[]): Promise<void> {
  for (const node of redisNodes(res)) {
    for (const match of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        if (keys.length) await keys.reduce((p, key) => p.unlink(key), node.pipeline()).exec();
        cursor = next;
      } while (cursor !== '0');
    }
  }
}
