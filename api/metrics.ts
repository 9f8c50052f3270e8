import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ApiMetrics = ReturnType<typeof createMetrics>;

/** One registry per app, so tests and several apps in one process do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    feedPages: new Counter({
      name: 'feed_pages_total',
      help: 'Potential-match pages served, by where they came from',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    matches: new Counter({ name: 'matches_created_total', help: 'Matches created', registers: [registry] }),
  };
}
