// The long-lived connections a process opens from its config, and closes once on shutdown.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { type Pool, createPool } from './db.js';
import { type Logger, createLogger } from './logger.js';
import { migrate } from './migrate.js';
import { createRedis } from './redis.js';

export interface Resources {
  config: Config;
  db: Pool;
  redis: Redis;
  log: Logger;
  close(): Promise<void>;
}

export async function openResources(config: Config, name: string): Promise<Resources> {
  const log = createLogger(config.LOG_LEVEL, name);
  const db = createPool(config.DATABASE_URL, {
    max: config.DB_POOL_SIZE,
    keepOpen: true,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
  });
  const redis = createRedis(config, 'client', { commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS });
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  return {
    config,
    db,
    redis,
    log,
    async close() {
      await Promise.allSettled([db.end(), redis.quit()]);
    },
  };
}
