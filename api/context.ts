import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.js';
import type { Pool } from '../shared/db.js';
import type { Feed } from '../shared/feed.js';
import type { LiveIndex } from '../shared/live-index.js';
import type { Logger } from '../shared/logger.js';
import type { Queues } from '../shared/queues.js';
import type { RateLimits } from '../shared/rate-limits.js';
import type { TokenVersions } from '../shared/token-versions.js';
import type { ApiMetrics } from './metrics.js';

/** What every handler may use, set once per app (tests build their own). */
export interface Deps {
  config: Config;
  db: Pool;
  redis: Redis;
  log: Logger;
  metrics: ApiMetrics;
  feed: Feed;
  queues: Queues;
  live: LiveIndex;
  limits: RateLimits;
  tokenVersions: TokenVersions;
}

export interface AppEnv {
  Variables: { deps: Deps; userId: number; tokenVersion: number; operator: string; audit: Record<string, unknown> };
}
