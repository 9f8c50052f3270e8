import { z } from 'zod';
import { FAIR, PREFERENCE_ONLY, RECIPROCAL, type Weights } from './matching/score.js';

const intFrom = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

// Every setting the processes read, parsed once. Anything else in the environment is ignored.
const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: intFrom(3000, 0, 65535),
    DATABASE_URL: z.string({ error: 'is required, e.g. postgres://user:password@localhost:5432/matchmaker' }).url('must be a URL'),
    REDIS_URL: z.string({ error: 'is required, e.g. redis://localhost:6379' }).url('must be a URL'),
    JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RATE_LIMITS: z.enum(['on', 'off']).default('on'),
    // Namespace of every Redis key and BullMQ queue; lets tests (and several deployments) share one Redis.
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('mm'),
    DB_POOL_SIZE: intFrom(20, 1, 500),
    // Nothing a request waits on may hang: past these, it answers 503 UNAVAILABLE (see shared/db.ts, shared/redis.ts).
    DB_STATEMENT_TIMEOUT_MS: intFrom(10_000, 100, 3_600_000),
    DB_CONNECT_TIMEOUT_MS: intFrom(3_000, 100, 60_000),
    REDIS_COMMAND_TIMEOUT_MS: intFrom(1_000, 50, 60_000),
    FEED_CACHE_SIZE: intFrom(100, 10, 1000),
    REBUILD_CRON: z.string().default('0 3 * * *'),
    INCREMENTAL_CRON: z.string().default('*/1 * * * *'),
    WORKER_CONCURRENCY: intFrom(2, 1, 64),
    REBUILD_PARTITIONS: intFrom(16, 1, 1024),
    // How soon a partition whose worker died is handed to another worker (BullMQ lock and stall check).
    WORKER_LOCK_MS: intFrom(30_000, 500, 600_000),
    WORKER_STALLED_MS: intFrom(30_000, 500, 600_000),
    // The ranking (shared/matching/score.ts, docs/ALGORITHM.md): a policy, and its main knobs.
    RANKING: z.enum(['preference', 'reciprocal', 'fair']).default('fair'),
    RANK_LIKER_CAP: z.coerce.number().int().min(0).max(1000).optional(),
    RANK_NEWCOMER_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const key of ['JWT_SECRET', 'ADMIN_TOKEN'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
    }
  });

export type Config = Readonly<Omit<z.infer<typeof schema>, 'JWT_SECRET' | 'ADMIN_TOKEN'> & { JWT_SECRET: string; ADMIN_TOKEN: string }>;

export class ConfigError extends Error {}

const POLICIES = { preference: PREFERENCE_ONLY, reciprocal: RECIPROCAL, fair: FAIR } as const;

/** The ranking weights the configuration asks for: every process ranks with the same ones. */
export function rankingWeights(c: Pick<Config, 'RANKING' | 'RANK_LIKER_CAP' | 'RANK_NEWCOMER_DAYS'>): Weights {
  return Object.freeze({
    ...POLICIES[c.RANKING],
    ...(c.RANK_LIKER_CAP !== undefined ? { likerCap: c.RANK_LIKER_CAP } : {}),
    ...(c.RANK_NEWCOMER_DAYS !== undefined ? { newcomerDays: c.RANK_NEWCOMER_DAYS } : {}),
  });
}

/** Parses an environment (normally process.env, after scripts/lib/local-env.ts filled the local defaults). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const { JWT_SECRET, ADMIN_TOKEN } = parsed.data;
  if (!JWT_SECRET || !ADMIN_TOKEN) {
    throw new ConfigError('JWT_SECRET and ADMIN_TOKEN must be set (the local launcher generates development values)');
  }
  return Object.freeze({ ...parsed.data, JWT_SECRET, ADMIN_TOKEN });
}
