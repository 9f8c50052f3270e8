// The real app over a real test database and Redis, called through app.request() (no listening socket).
import { createApp } from '../../api/app.js';
import type { Deps } from '../../api/context.js';
import { createMetrics } from '../../api/metrics.js';
import { createCachedFeed } from '../../shared/feed.js';
import { LiveIndex } from '../../shared/live-index.js';
import { rankingWeights } from '../../shared/config.js';
import { openQueues } from '../../shared/queues.js';
import { createRateLimits } from '../../shared/rate-limits.js';
import { TokenVersions } from '../../shared/token-versions.js';
import { createLogger } from '../../shared/logger.js';
import { createRedis } from '../../shared/redis.js';
import { signUserToken } from '../../shared/tokens.js';
import { type TestEnv, createTestEnv } from './env.js';

export interface TestApi extends TestEnv {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  call(method: string, path: string, opts?: CallOptions): Promise<{ status: number; body: any; headers: Headers }>;
  register(profile?: Partial<ProfileInput>, opts?: CallOptions): Promise<{ id: number; token: string; user: any }>;
  tokenFor(userId: number): Promise<string>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The peer's address, as @hono/node-server would pass the socket (none by default, like app.request). */
  remoteAddress?: string;
}

export interface ProfileInput {
  name: string;
  age: number;
  height: number;
  gender?: string | null;
  interested_in?: string[] | null;
  preferred_age_min: number;
  preferred_age_max: number;
  preferred_height_min: number;
  preferred_height_max: number;
  bio?: string;
  interests?: string[] | null;
}

export const baseProfile: ProfileInput = {
  name: 'Alex',
  age: 30,
  height: 175,
  preferred_age_min: 18,
  preferred_age_max: 120,
  preferred_height_min: 100,
  preferred_height_max: 250,
};

export async function createTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  return apiOver(await createTestEnv(overrides));
}

/** The app over a given database and Redis (fault tests bring their own servers). */
export async function apiOver(env: TestEnv): Promise<TestApi> {
  const redis = createRedis(env.config, 'client', { commandTimeout: env.config.REDIS_COMMAND_TIMEOUT_MS });
  // Connected before the first request: until then the rate limits count in memory (their insurance).
  await redis.ping();
  const live = new LiveIndex(env.db, { pollMs: 200, weights: rankingWeights(env.config) });
  const deps: Deps = {
    config: env.config,
    db: env.db,
    redis,
    log: createLogger('silent', 'test'),
    metrics: createMetrics(),
    feed: createCachedFeed({ live, redis, prefix: env.config.REDIS_PREFIX, cacheSize: env.config.FEED_CACHE_SIZE }),
    queues: openQueues(env.config),
    live,
    limits: createRateLimits(env.config, redis),
    tokenVersions: new TokenVersions(env.db, redis, env.config.REDIS_PREFIX),
  };
  const app = createApp(deps);

  const call: TestApi['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const socket = opts.remoteAddress ? { remoteAddress: opts.remoteAddress, remotePort: 40000, remoteFamily: opts.remoteAddress.includes(':') ? 'IPv6' : 'IPv4' } : undefined;
    const res = await app.request(path, { method, headers, body }, socket ? { incoming: { socket } } : undefined);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  };

  return {
    ...env,
    deps,
    app,
    call,
    async register(profile = {}, opts = {}) {
      const res = await call('POST', '/register', { ...opts, body: { ...baseProfile, ...profile } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, token: res.body.token, user: res.body.user };
    },
    tokenFor: (userId) => signUserToken(env.config.JWT_SECRET, userId, env.config.TOKEN_TTL_S),
    async close() {
      live.stop();
      await deps.tokenVersions.close();
      await deps.queues.close();
      await redis.quit();
      await env.close();
    },
  };
}
