import { z } from 'zod';
import { FAIR, PREFERENCE_ONLY, RECIPROCAL, type Weights } from './matching/score.js';
import { DEFAULT_TOKEN_TTL_S } from './tokens.js';

const intFrom = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

// No made-up fallback: a process without its secrets refuses to start.
const secret = z
  .string({ error: 'is required (a local development run gets development values from `npm start` or `npm run dev:api` / `npm run dev:worker`)' })
  .min(16, 'must be at least 16 characters');

// Every setting the processes read, parsed once. Anything else in the environment is ignored.
const schema = z
  .object({
    // Production unless asked otherwise: development values (secrets in .data/, local services) are
    // only ever filled in by the local launchers in scripts/, which set NODE_ENV=development.
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    PORT: intFrom(3000, 0, 65535),
    // `npm start` only: how many API processes share PORT (node:cluster). The workers run in one more.
    API_PROCESSES: intFrom(1, 1, 64),
    DATABASE_URL: z.string({ error: 'is required, e.g. postgres://user:password@localhost:5432/matchmaker' }).url('must be a URL'),
    REDIS_URL: z.string({ error: 'is required, e.g. redis://localhost:6379' }).url('must be a URL'),
    JWT_SECRET: secret,
    ADMIN_TOKEN: secret,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RATE_LIMITS: z.enum(['on', 'off']).default('on'),
    // The limits (README "Rate limits" says why these numbers). Registrations count per client address.
    RATE_LIMIT_REGISTRATIONS_PER_HOUR: intFrom(20, 1, 1_000_000),
    RATE_LIMIT_REGISTRATIONS_PER_DAY: intFrom(50, 1, 1_000_000),
    RATE_LIMIT_SWIPES_PER_MINUTE: intFrom(60, 1, 1_000_000),
    RATE_LIMIT_SWIPES_PER_DAY: intFrom(1000, 1, 1_000_000),
    RATE_LIMIT_LIKES_PER_DAY: intFrom(300, 1, 1_000_000),
    RATE_LIMIT_FEED_PER_MINUTE: intFrom(120, 1, 1_000_000),
    RATE_LIMIT_SAFETY_PER_HOUR: intFrom(30, 1, 1_000_000),
    // How many proxies (load balancers) in front of the API append to X-Forwarded-For; 0 = trust none
    // and key on the socket's address, so a client cannot pick its own address.
    TRUST_PROXY: intFrom(0, 0, 10),
    // User tokens last this long (seconds); POST /token/refresh issues a fresh one.
    TOKEN_TTL_S: intFrom(DEFAULT_TOKEN_TTL_S, 60, 90 * 24 * 3600),
    // on: REDIS_URL names one node of a Redis Cluster; keys, scripts and pipelines are grouped by slot.
    REDIS_CLUSTER: z.enum(['on', 'off']).default('off'),
    // Namespace of every Redis key and BullMQ queue; lets tests (and several deployments) share one Redis.
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('mm'),
    // A few connections per Postgres core: past that, more add contention, not throughput (likes at 20k
    // users: 4.6-4.7k/s with 10, 3.8-4.1k/s with 20, two runs each on two cores).
    DB_POOL_SIZE: intFrom(10, 1, 500),
    // Nothing a request waits on may hang: past these, it answers 503 UNAVAILABLE (see shared/db.ts, shared/redis.ts).
    DB_STATEMENT_TIMEOUT_MS: intFrom(10_000, 100, 3_600_000),
    DB_CONNECT_TIMEOUT_MS: intFrom(3_000, 100, 60_000),
    REDIS_COMMAND_TIMEOUT_MS: intFrom(1_000, 50, 60_000),
    // Workers' batch writes (a rebuild's pipelines) wait longer: under load a deep pipeline's last
    // commands queue behind the first, and a request's 1 s would fail a healthy rebuild.
    REDIS_BULK_TIMEOUT_MS: intFrom(30_000, 1_000, 600_000),
    // K, the length of a cached list. 75 keeps a list in Redis' 512-byte allocation (6 bytes an
    // entry, shared/feed-store.ts): 568 B a list against 840 B for 100, which at a million users
    // is what keeps Redis under 1 KB a user (README "Redis memory"). Pages past it come from the live path.
    FEED_CACHE_SIZE: intFrom(75, 10, 1000),
    REBUILD_CRON: z.string().default('0 3 * * *'),
    INCREMENTAL_CRON: z.string().default('*/1 * * * *'),
    WORKER_CONCURRENCY: intFrom(2, 1, 64),
    REBUILD_PARTITIONS: intFrom(16, 1, 1024),
    // Threads that rank a rebuild in each worker process (0: on its event loop); unset: one per core
    // once the population has 20k users (below that, starting threads costs more than they save).
    REBUILD_THREADS: z.coerce.number().int().min(0).max(64).optional(),
    // How soon a partition whose worker died is handed to another worker (BullMQ lock and stall check).
    WORKER_LOCK_MS: intFrom(30_000, 500, 600_000),
    WORKER_STALLED_MS: intFrom(30_000, 500, 600_000),
    // The ranking (shared/matching/score.ts, docs/ALGORITHM.md): a policy, and its main knobs.
    RANKING: z.enum(['preference', 'reciprocal', 'fair']).default('fair'),
    RANK_LIKER_CAP: z.coerce.number().int().min(0).max(1000).optional(),
    RANK_NEWCOMER_DAYS: z.coerce.number().int().min(1).max(365).optional(),
    // HTTP server timeouts. Keep-alive outlasts a proxy's idle timeout (60 s on most load balancers), so
    // the proxy, not the server, closes an idle connection and never races a request onto a closing one.
    HTTP_KEEP_ALIVE_TIMEOUT_MS: intFrom(65_000, 1_000, 3_600_000),
    HTTP_HEADERS_TIMEOUT_MS: intFrom(66_000, 1_000, 3_600_000),
    // The whole request (headers and body) must arrive within this.
    HTTP_REQUEST_TIMEOUT_MS: intFrom(120_000, 1_000, 3_600_000),
    // How long a POST's Idempotency-Key and its first response are kept (the contract: 24 hours).
    IDEMPOTENCY_TTL_S: intFrom(86_400, 1, 7 * 86_400),
    // A user reported by this many different people is suspended (shown to nobody) until an operator clears them.
    REPORT_SUSPEND_THRESHOLD: intFrom(3, 1, 1000),
  })
  .superRefine((env, ctx) => {
    if (env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_KEEP_ALIVE_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS' });
    }
    if (env.HTTP_REQUEST_TIMEOUT_MS < env.HTTP_HEADERS_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_REQUEST_TIMEOUT_MS'], message: 'must be at least HTTP_HEADERS_TIMEOUT_MS' });
    }
  });

export type Config = Readonly<z.infer<typeof schema>>;

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

/** Parses an environment: process.env in the entry points (the local launchers fill it in first for development). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/** The config of an entry point, from process.env alone; an unusable environment ends the process with the reason. */
export function configFromEnvOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
