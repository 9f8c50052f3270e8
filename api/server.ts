// Serves the app on a port; shared by `npm run api` and `npm start`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from '../shared/config.js';
import { createCachedFeed } from '../shared/feed.js';
import { rankingWeights } from '../shared/config.js';
import { LiveIndex } from '../shared/live-index.js';
import type { Logger } from '../shared/logger.js';
import { type Queues, requestIncrementalPass } from '../shared/queues.js';
import { createRateLimits } from '../shared/rate-limits.js';
import { TokenVersions } from '../shared/token-versions.js';
import type { Resources } from '../shared/resources.js';
import { createApp } from './app.js';
import { type ConnectionStats, trackConnections } from './connections.js';
import { createMetrics } from './metrics.js';

export interface Listening {
  server: Server;
  port: number;
  connections: ConnectionStats;
  close(): Promise<void>;
}

type Timeouts = Pick<Config, 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>;
type FetchApp = { fetch: (req: Request) => Response | Promise<Response> };

/** Listens with `app`: the HTTP server's settings and connection handling live here (tests use it too). */
export function listen(app: FetchApp, port: number, config: Timeouts, log: Logger): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname: '0.0.0.0',
        // connections.ts reads unread bodies to the end instead: the library's cleanup closes
        // keep-alive connections under requests (issue 11).
        autoCleanupIncoming: false,
        serverOptions: {
          keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
          headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
          requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
        },
      },
      (info: AddressInfo) =>
        resolve({
          server,
          port: info.port,
          connections,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeIdleConnections();
            }),
        }),
    ) as Server;
    const connections = trackConnections(server, log);
  });
}

export async function startServer(res: Resources, queues: Queues) {
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
  const tokenVersions = new TokenVersions(db, redis, config.REDIS_PREFIX);
  const limits = createRateLimits(config, redis);
  const app = createApp({ ...res, metrics: createMetrics(), feed, queues, live, limits, tokenVersions });
  const listening = await listen(app, config.PORT, config, log);
  log.info(`API listening on http://localhost:${listening.port} (docs at /docs)`);
  return {
    close: async () => {
      live.stop();
      await listening.close();
      await tokenVersions.close();
    },
  };
}
