// The real app over a real test database and Redis, called through app.request() (no listening socket).
import { createApp } from '../../api/app.js';
import type { Deps } from '../../api/context.js';
import { createMetrics } from '../../api/metrics.js';
import { createCachedFeed } from '../../shared/feed.js';
import { LiveIndex } from '../../shared/live-index.js';
import { rankingWeights } from '../../shared/config.js';
import { openQueues } from '../../shared/queues.js';
import { createLogger } from '../../shared/logger.js';
import { createRedis } from '../../shared/redis.js';
import { signUserToken } from '../../shared/tokens.js';
import { type TestEnv, createTestEnv } from './env.js';

export interface TestApi extends TestEnv {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  call(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  register(profile?: Partial<ProfileInput>): Promise<{ id: number; token: string; user: any }>;
  tokenFor(userId: number): Promise<string>;
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
export function apiOver(env: TestEnv): TestApi {
  const redis = createRedis(env.config.REDIS_URL, 'client', { commandTimeout: env.config.REDIS_COMMAND_TIMEOUT_MS });
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
    const res = await app.request(path, { method, headers, body });
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
    async register(profile = {}) {
      const res = await call('POST', '/register', { body: { ...baseProfile, ...profile } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, token: res.body.token, user: res.body.user };
    },
    tokenFor: (userId) => signUserToken(env.config.JWT_SECRET, userId),
    async close() {
      live.stop();
      await deps.queues.close();
      await redis.quit();
      await env.close();
    },
  };
}
