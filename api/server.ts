// Serves the app on a port; shared by `npm run api` and `npm start`.
import { serve } from '@hono/node-server';
import type { Resources } from '../shared/resources.js';
import { createApp } from './app.js';
import type { Deps } from './context.js';
import { createMetrics } from './metrics.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.js';
import type { Feed } from '../shared/feed.js';

export function startServer(res: Resources, feed: Feed, extend?: (app: OpenAPIHono<AppEnv>) => void) {
  const deps: Deps = { ...res, metrics: createMetrics(), feed };
  const app = createApp(deps, extend);
  const server = serve({ fetch: app.fetch, port: res.config.PORT, hostname: '0.0.0.0' }, (info) =>
    res.log.info(`API listening on http://localhost:${info.port} (docs at /docs)`),
  );
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
