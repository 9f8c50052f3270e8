// Per test file: its own database cloned from the migrated template, its own Redis key prefix.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Config, parseConfig } from '../../shared/config.js';
import { type Pool, createPool } from '../../shared/db.js';
import { withDatabase } from '../global-setup.js';

export interface TestEnv {
  config: Config;
  db: Pool;
  close(): Promise<void>;
}

/** The run's Redis (one server, or one node of the local cluster) for createRedis. */
export const testRedis = () => ({ REDIS_URL: inject('redisUrl'), REDIS_CLUSTER: inject('redisCluster') ? 'on' as const : 'off' as const });

/** The environment of a command run as a separate process (`node --import tsx ...`) on this test's database and Redis. */
export const commandEnv = (config: Config, extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH!,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  DATABASE_URL: config.DATABASE_URL,
  REDIS_URL: config.REDIS_URL,
  REDIS_CLUSTER: config.REDIS_CLUSTER,
  REDIS_PREFIX: config.REDIS_PREFIX,
  JWT_SECRET: config.JWT_SECRET,
  ADMIN_TOKEN: config.ADMIN_TOKEN,
  ...extra,
});

export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const name = `mm_t_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('adminDatabaseUrl');
  const admin = createPool(adminUrl, 1);
  await admin.query(`create database ${name} template ${inject('templateDb')}`);
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: withDatabase(adminUrl, name),
    REDIS_URL: inject('redisUrl'),
    REDIS_CLUSTER: inject('redisCluster') ? 'on' : 'off',
    REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
    JWT_SECRET: 'test-secret-0123456789abcdef',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    DB_POOL_SIZE: '10',
    // Off unless a test turns them on (test/ rate-limit tests do, with small numbers).
    RATE_LIMITS: 'off',
    ...overrides,
  });
  const db = createPool(config.DATABASE_URL, config.DB_POOL_SIZE);
  return {
    config,
    db,
    async close() {
      await db.end();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
