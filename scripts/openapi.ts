// `npm run docs:openapi`: writes the OpenAPI document to docs/openapi.json, so the API reference
// ships in the repository. Builds the app on connections that are never opened: the document
// depends on the routes alone. A test fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import { createApp } from '../api/app.js';
import { createMetrics } from '../api/metrics.js';
import { parseConfig } from '../shared/config.js';
import { createPool } from '../shared/db.js';
import { createLiveFeed } from '../shared/feed.js';
import { LiveIndex } from '../shared/live-index.js';
import { createLogger } from '../shared/logger.js';
import { QUEUE } from '../shared/queues.js';
import { createRateLimits } from '../shared/rate-limits.js';
import { createRedis } from '../shared/redis.js';
import { TokenVersions } from '../shared/token-versions.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** The document the API serves at /openapi.json, as formatted JSON text. */
export async function openApiDocument(): Promise<string> {
  const config = parseConfig({
    DATABASE_URL: 'postgres://127.0.0.1:1/unused',
    REDIS_URL: 'redis://127.0.0.1:1',
    JWT_SECRET: 'unused-unused-unused',
    ADMIN_TOKEN: 'unused-unused-unused',
    RATE_LIMITS: 'off',
  });
  const redis = createRedis(config.REDIS_URL, 'client', { lazyConnect: true });
  const db = createPool(config.DATABASE_URL, 1);
  const live = new LiveIndex(db);
  const opts = { connection: redis, prefix: 'unused' };
  const [rebuild, partition, incremental] = [QUEUE.rebuild, QUEUE.partition, QUEUE.incremental].map((n) => new Queue(n, opts));
  const queues = { rebuild: rebuild!, partition: partition!, incremental: incremental!, flow: new FlowProducer(opts), connection: redis, close: async () => {} };
  const tokenVersions = new TokenVersions(db, redis, config.REDIS_PREFIX);
  try {
    const app = createApp({
      config, db, redis, live, queues, tokenVersions,
      log: createLogger('silent', 'openapi'),
      metrics: createMetrics(),
      feed: createLiveFeed(live),
      limits: createRateLimits(config, redis),
    });
    const res = await app.request('/openapi.json');
    return `${JSON.stringify(await res.json(), null, 2)}\n`;
  } finally {
    await tokenVersions.close();
    await Promise.allSettled([rebuild!.close(), partition!.close(), incremental!.close(), queues.flow.close()]);
    redis.disconnect();
    await db.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await openApiDocument());
  console.log(`wrote ${OPENAPI_FILE}`);
}
