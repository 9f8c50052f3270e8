// The contract's bulk-load promise: `npm run seed` (seedUsers through COPY) of 100k users into a
// running API, with clients registering and reading meanwhile. Every request answers, none with a
// 5xx, each well under a second, during the load and after it; new users then get full pages.
// The seed runs as its own process, as it does against a deployed API.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../test/support/api.js';

const run = promisify(execFile);
const BULK_USERS = Number(process.env.BULK_USERS ?? 100_000);
const CLIENTS = 8;
const LIMIT = 20;
const STALL_MS = 5_000;

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi({ RATE_LIMITS: 'off' });
  for (let i = 0; i < 30; i++) await t.register({ name: `before ${i}` });
  await t.deps.live.ready();
});
afterAll(() => t.close());

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

describe('a bulk load into a running API', () => {
  it(`keeps every request answering during and after a ${BULK_USERS}-user seed, and new users get full pages`, { timeout: 240_000 }, async () => {
    const latencies: number[] = [];
    const bad: string[] = [];
    let phase: 'during' | 'after' = 'during';
    let running = true;
    const timed = async (method: string, url: string, opts: Parameters<TestApi['call']>[2] = {}) => {
      const at = performance.now();
      const res = await t.call(method, url, opts);
      const ms = performance.now() - at;
      latencies.push(ms);
      // A stall, not a speed target: the probe (../shared/probe/bulkload.mjs) holds the 1 s bound on a quiet machine.
      if (res.status >= 500 || ms >= STALL_MS) bad.push(`${phase}: ${method} ${url} ${res.status} in ${Math.round(ms)} ms`);
      return res;
    };
    // Each client registers someone new, then reads that user's pages, over and over.
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; running; i++) {
        const reg = await timed('POST', '/register', { body: { name: `client ${c}.${i}`, age: 30, height: 175, preferred_age_min: 18, preferred_age_max: 120, preferred_height_min: 100, preferred_height_max: 250 } });
        if (reg.status !== 201) continue;
        for (let k = 0; k < 3 && running; k++) await timed('GET', `/potential_matches/${reg.body.user.id}?limit=${LIMIT}`, { token: reg.body.token });
      }
    });

    const started = Date.now();
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: t.config.DATABASE_URL, REDIS_URL: t.config.REDIS_URL, REDIS_CLUSTER: t.config.REDIS_CLUSTER, REDIS_PREFIX: t.config.REDIS_PREFIX, JWT_SECRET: t.config.JWT_SECRET, ADMIN_TOKEN: t.config.ADMIN_TOKEN };
    await run(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--users', String(BULK_USERS), '--seed', '9'], { env, maxBuffer: 16 * 1024 * 1024 });
    const seedMs = Date.now() - started;
    // After the commit, the running API catches up with the load; requests keep answering meanwhile.
    phase = 'after';
    const during = latencies.length;
    await new Promise((r) => setTimeout(r, 5_000));
    running = false;
    await Promise.all(clients);

    // New users then get full pages (the load is visible to them).
    const fresh = [];
    for (let i = 0; i < 5; i++) fresh.push(await t.register({ name: `after ${i}` }));
    for (const u of fresh) {
      const page = await timed('GET', `/potential_matches/${u.id}?limit=${LIMIT}`, { token: u.token });
      expect(page.status).toBe(200);
      expect(page.body.potential_matches).toHaveLength(LIMIT);
    }
    const { rows } = await t.db.query<{ n: number }>('select count(*)::int as n from users');
    console.log(
      `bulk load: ${BULK_USERS} users seeded in ${seedMs} ms; ${latencies.length} requests (${during} during the seed), ` +
        `p50 ${Math.round(percentile(latencies, 50))} ms, p99 ${Math.round(percentile(latencies, 99))} ms, max ${Math.round(Math.max(...latencies))} ms; ` +
        `${bad.length} stalled (over ${STALL_MS} ms) or 5xx`,
    );
    for (const b of bad.slice(0, 10)) console.log(`  ${b}`);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(BULK_USERS);
    expect(during).toBeGreaterThan(CLIENTS);
    expect(bad).toEqual([]);
  });
});
