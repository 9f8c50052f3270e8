// The reference the API is read against (the same as ../shared/probe's): the same Hono,
// @hono/node-server and ioredis with no application code. GET /hello answers a constant; GET /get
// answers one Redis GET of a value as large as a feed page. On 127.0.0.1 and an OS-chosen port.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';

export async function startReference(redis: Redis, prefix: string, pageBytes: number) {
  const key = `${prefix}:bench-reference`;
  await redis.set(key, JSON.stringify({ v: 'x'.repeat(Math.max(16, pageBytes - 10)) }));
  const app = new Hono();
  app.get('/hello', (c) => c.json({ status: 'ok' }));
  app.get('/get', async (c) => c.body((await redis.get(key)) ?? '', 200, { 'content-type': 'application/json' }));
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => void redis.del(key).then(() => r()))),
  };
}
