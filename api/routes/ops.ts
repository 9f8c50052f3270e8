// Probes, metrics and the interactive API reference (served from the swagger-ui-dist package, so it
// works without reaching any CDN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../context.js';

export const ops = new Hono<AppEnv>();

// /healthz is answered in app.ts, ahead of every middleware.

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

ops.get('/readyz', async (c) => {
  const { db, redis, live } = c.get('deps');
  const [pg, rd] = await Promise.allSettled([within(2000, db.query('select 1')), within(2000, redis.ping())]);
  const checks = {
    postgres: pg.status === 'fulfilled' ? 'ok' : 'down',
    redis: rd.status === 'fulfilled' ? 'ok' : 'down',
    live_index: live.loaded ? 'ok' : 'loading',
  };
  if (Object.values(checks).every((v) => v === 'ok')) return c.json({ status: 'ready', checks });
  return c.json({ error: { code: 'UNAVAILABLE', message: 'A backing service does not answer.', details: Object.entries(checks).map(([field, message]) => ({ field, message })) } }, 503);
});

ops.get('/metrics', async (c) => {
  const { registry } = c.get('deps').metrics;
  return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
});

// The package's main module evaluates its 1.7 MB browser bundle on import: only its folder is needed.
const uiDir = (createRequire(import.meta.url)('swagger-ui-dist/absolute-path.js') as () => string)();
const assetTypes: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const assetTexts = new Map<string, string>(); // read on first request, then kept
const asset = (name: string): [string, string] => {
  let text = assetTexts.get(name);
  if (text === undefined) assetTexts.set(name, (text = readFileSync(join(uiDir, name), 'utf8')));
  return [assetTypes[name]!, text];
};

ops.get('/docs', (c) =>
  c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Matchmaker API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`),
);

ops.get('/docs/:asset{swagger-ui\\.css|swagger-ui-bundle\\.js}', (c) => {
  const [type, text] = asset(c.req.param('asset'));
  return c.body(text, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
});
