// Serves the app on a port; shared by `npm run api` and `npm start`.
import { serve } from '@hono/node-server';
import { createCachedFeed } from '../shared/feed.js';
import { type Queues, requestIncrementalPass } from '../shared/queues.js';
import type { Resources } from '../shared/resources.js';
import { createApp } from './app.js';
import { createMetrics } from './metrics.js';

export function startServer(res: Resources, queues: Queues) {
  const { config, db, redis, log } = res;
  const feed = createCachedFeed({
    db,
    redis,
    prefix: config.REDIS_PREFIX,
    cacheSize: config.FEED_CACHE_SIZE,
    onError: (err) => log.warn({ err }, 'feed cache unavailable; serving from Postgres'),
    onProfileChange: () => requestIncrementalPass(queues),
  });
  const app = createApp({ ...res, metrics: createMetrics(), feed, queues });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, (info) =>
    log.info(`API listening on http://localhost:${info.port} (docs at /docs)`),
  );
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
