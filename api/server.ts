// Serves the app on a port; shared by `npm run api` and `npm start`.
import { serve } from '@hono/node-server';
import { createCachedFeed } from '../shared/feed.js';
import { rankingWeights } from '../shared/config.js';
import { LiveIndex } from '../shared/live-index.js';
import { type Queues, requestIncrementalPass } from '../shared/queues.js';
import type { Resources } from '../shared/resources.js';
import { createApp } from './app.js';
import { createMetrics } from './metrics.js';

export function startServer(res: Resources, queues: Queues) {
  const { config, db, redis, log } = res;
  const live = new LiveIndex(db, { weights: rankingWeights(config) });
  // Load the index now rather than on the first request; /readyz says when it is there.
  live.ready().catch((err) => log.error({ err }, 'could not load the live index'));
  const feed = createCachedFeed({
    live,
    redis,
    prefix: config.REDIS_PREFIX,
    cacheSize: config.FEED_CACHE_SIZE,
    onError: (err) => log.warn({ err }, 'feed cache unavailable; serving from Postgres'),
    onProfileChange: () => requestIncrementalPass(queues),
  });
  const app = createApp({ ...res, metrics: createMetrics(), feed, queues, live });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, (info) =>
    log.info(`API listening on http://localhost:${info.port} (docs at /docs)`),
  );
  return {
    close: () =>
      new Promise<void>((resolve) => {
        live.stop();
        server.close(() => resolve());
      }),
  };
}
