// Faults with real processes, under load: Redis stopped, Redis paused (SIGSTOP), Postgres restarted,
// a worker killed mid-rebuild. This file starts its own throwaway Redis and Postgres, so it can kill
// them without touching other test files. For each fault it prints requests failed, swipes lost and
// time to heal, and asserts the contract's promises: no 5xx but 503 UNAVAILABLE, every answer within
// seconds, no acknowledged swipe lost, healed without a restart.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedUsers } from '../scripts/seed.js';
import { startPostgres, stopPostgres } from '../scripts/lib/postgres-server.js';
import { findRedisServer, startRedis, stopRedis } from '../scripts/lib/redis-server.js';
import { parseConfig } from '../shared/config.js';
import { BULK, createPool } from '../shared/db.js';
import { migrate } from '../shared/migrate.js';
import { startRebuild } from '../shared/rebuild.js';
import { type TestApi, apiOver } from '../test/support/api.js';
import { commandEnv } from '../test/support/env.js';
import { waitForRebuild, workerProcess } from '../test/support/workers.js';

const ANSWER_WITHIN_MS = 5_000;
const HEAL_WITHIN_MS = 15_000;

let base: string;
let pg: { dataDir: string; port: number; logFile: string; settings: string[] };
let redis: { bin: string; dir: string; port: number; logFile: string; pidFile: string };
let t: TestApi;
const users: { id: number; token: string }[] = [];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'matchmaker-faults-'));
  await fs.chmod(base, 0o755); // as root, the postgres user must reach the data dir inside
  // Default durability settings (unlike the shared test server): an acknowledged commit survives a crash.
  pg = { dataDir: path.join(base, 'pg'), port: await freePort(), logFile: path.join(base, 'pg.log'), settings: ['max_connections=100'] };
  redis = { bin: await findRedisServer(() => {}), dir: path.join(base, 'redis'), port: await freePort(), logFile: path.join(base, 'redis.log'), pidFile: path.join(base, 'redis', 'redis.pid') };
  await Promise.all([startPostgres(pg), startRedis(redis)]);
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/postgres`,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_PREFIX: 'faults',
    JWT_SECRET: 'test-secret-0123456789abcdef',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    RATE_LIMITS: 'off',
    DB_CONNECT_TIMEOUT_MS: '3000',
    DB_STATEMENT_TIMEOUT_MS: '3000',
    REDIS_COMMAND_TIMEOUT_MS: '300',
    REBUILD_PARTITIONS: '8',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_MS: '1000',
  });
  const db = createPool(config.DATABASE_URL, { max: 20, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS, connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS });
  await migrate(db);
  t = await apiOver({ config, db, close: () => db.end() });
  for (let i = 0; i < 12; i++) users.push(await t.register({ name: `load ${i}` }));
  const bulk = createPool(config.DATABASE_URL, { ...BULK, max: 2 });
  await seedUsers(bulk, { users: 3_000, seed: 11 });
  await bulk.end();
  await t.deps.live.ready();
}, 120_000);

afterAll(async () => {
  try {
    process.kill(Number(await fs.readFile(redis.pidFile, 'utf8')), 'SIGCONT');
  } catch {}
  await t?.close().catch(() => {});
  await Promise.allSettled([stopPostgres(pg.dataDir, 'immediate'), stopRedis(`redis://127.0.0.1:${redis.port}`, redis.pidFile)]);
  await fs.rm(base, { recursive: true, force: true });
});

// Loads still running when a test ended early (a failed step): stopped before the next test.
const running = new Set<() => Promise<unknown>>();
afterEach(async () => {
  for (const stop of [...running]) await stop().catch(() => {});
});

interface Outcome { at: number; ms: number; status: number; code?: string; kind: string; source?: string }

/**
 * One client per user, each in a loop: a page, then a like or pass on someone from it (or a random
 * user). Per user the requests are sequential, so the last acknowledged swipe on a pair is what
 * Postgres must hold, and no later page may show that person.
 */
function load(clients = users) {
  const outcomes: Outcome[] = [];
  const acked = new Map<string, 'like' | 'pass'>(); // "u-v" -> last acknowledged kind
  const unsure = new Set<string>(); // pairs whose last attempt failed: it may or may not have committed
  let resurfaced = 0;
  let on = true;
  const timed = async (kind: string, method: string, url: string, token: string) => {
    const at = Date.now();
    const res = await t.call(method, url, { token });
    outcomes.push({ at, ms: Date.now() - at, status: res.status, code: res.body?.error?.code, kind, source: res.body?.source });
    return res;
  };
  const loops = clients.map(async (u, n) => {
    const swiped = new Set<number>();
    for (let i = 0; on; i++) {
      const page = await timed('page', 'GET', `/potential_matches/${u.id}?limit=10`, u.token);
      const cards: { id: number }[] = page.status === 200 ? page.body.potential_matches : [];
      resurfaced += cards.filter((c) => swiped.has(c.id)).length;
      const target = cards[i % Math.max(1, cards.length)]?.id ?? 1 + ((n * 7919 + i * 104729) % 3000);
      if (target === u.id) continue;
      const kind = (n + i) % 3 === 0 ? 'pass' : 'like';
      const res = await timed(kind, 'POST', `/${kind === 'like' ? 'like' : 'unlike'}/${u.id}/${target}`, u.token);
      const key = `${u.id}-${target}`;
      if (res.status === 200 || res.status === 201) {
        acked.set(key, kind);
        unsure.delete(key);
        swiped.add(target);
      } else unsure.add(key);
    }
  });
  let stopping: Promise<{ lost: number; acked: number; resurfaced: number }> | undefined;
  const stop = () => (stopping ??= finish());
  running.add(stop);
  async function finish() {
    running.delete(stop);
    on = false;
    await Promise.all(loops);
    // Every acknowledged swipe is in Postgres, as acknowledged (pairs whose later attempt failed are skipped).
    const { rows } = await t.db.query<{ k: string; kind: string }>(`select swiper_id || '-' || swipee_id as k, kind from swipes where swiper_id = any($1)`, [
      clients.map((c) => c.id),
    ]);
    const stored = new Map(rows.map((r) => [r.k, r.kind]));
    const lost = [...acked].filter(([k, kind]) => !unsure.has(k) && stored.get(k) !== kind).length;
    return { lost, acked: acked.size, resurfaced };
  }
  return { outcomes, stop };
}

/** Polls until `ok` holds; the milliseconds it took. */
async function until(ok: () => Promise<boolean>, limitMs = HEAL_WITHIN_MS): Promise<number> {
  const from = Date.now();
  while (!(await ok().catch(() => false))) {
    if (Date.now() - from > limitMs) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - from;
}

const ready = async () => (await t.call('GET', '/readyz')).status === 200;
/** Milliseconds from `since` to now, once every step succeeded (each took a finite time). */
const healedBy = (since: number, steps: number[]) => (steps.every(Number.isFinite) ? Date.now() - since : Number.POSITIVE_INFINITY);

/** The cache is in use again: someone who registers now gets their page from a cached list. */
async function cacheServes(): Promise<number> {
  const probe = await t.register({ name: 'probe' });
  return until(async () => (await t.call('GET', `/potential_matches/${probe.id}?limit=5`, { token: probe.token })).body.source === 'cache');
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function report(name: string, outcomes: Outcome[], result: { lost: number; acked: number; resurfaced: number }, healMs: number) {
  const failed = outcomes.filter((o) => o.status >= 400);
  const counts = new Map<string, number>();
  for (const o of failed) counts.set(`${o.status} ${o.code ?? ''}`.trim(), (counts.get(`${o.status} ${o.code ?? ''}`.trim()) ?? 0) + 1);
  const byCode = [...counts].map(([k, n]) => `${k} x${n}`);
  const maxMs = Math.max(...outcomes.map((o) => o.ms));
  console.log(
    `fault "${name}": ${outcomes.length} requests, ${failed.length} failed (${byCode.join(', ') || 'none'}), max ${maxMs} ms; ` +
      `swipes acknowledged ${result.acked}, lost ${result.lost}; swiped people shown again ${result.resurfaced}; healed in ${healMs} ms`,
  );
  expect(outcomes.length).toBeGreaterThan(50);
  expect(failed.filter((o) => o.status >= 500 && !(o.status === 503 && o.code === 'UNAVAILABLE'))).toEqual([]);
  expect(maxMs).toBeLessThan(ANSWER_WITHIN_MS);
  expect(result.lost).toBe(0);
  // `resurfaced` (a swiped person on a later page) is printed, not asserted here: a Redis write that
  // times out after the swipe commits leaves the cached list unaware of it (issue 6, "Failures that
  // stay"); that fix belongs to the feed's Redis layout, and the model-based feed test pins it.
  expect(healMs).toBeLessThan(HEAL_WITHIN_MS);
  return failed;
}

describe('under load and faults', () => {
  it('Redis stopped: pages come from the live path, swipes succeed, and the cache is used again once it is back', { timeout: 60_000 }, async () => {
    const l = load();
    await pause(1_000);
    await stopRedis(`redis://127.0.0.1:${redis.port}`, redis.pidFile);
    await pause(3_000);
    await startRedis(redis);
    const back = Date.now();
    const healMs = healedBy(back, [await until(ready), await cacheServes()]);
    await pause(500);
    const failed = report('Redis stopped 3 s', l.outcomes, await l.stop(), healMs);
    expect(failed).toEqual([]);
  });

  it('Redis paused (SIGSTOP): no request hangs, none fails, and it heals on SIGCONT', { timeout: 60_000 }, async () => {
    const l = load();
    await pause(1_000);
    const pid = Number(await fs.readFile(redis.pidFile, 'utf8'));
    process.kill(pid, 'SIGSTOP');
    await pause(6_000); // longer than ANSWER_WITHIN_MS: a request waiting on Redis would show
    process.kill(pid, 'SIGCONT');
    const back = Date.now();
    const healMs = healedBy(back, [await until(ready), await cacheServes()]);
    await pause(500);
    const failed = report('Redis paused 6 s', l.outcomes, await l.stop(), healMs);
    expect(failed).toEqual([]);
  });

  it('npm run rebuild follows its run through a Redis pause longer than its command timeout', { timeout: 120_000 }, async () => {
    const worker = workerProcess(t.config);
    const pid = Number(await fs.readFile(redis.pidFile, 'utf8'));
    try {
      while ((await t.deps.queues.partition.getWorkersCount()) === 0) await pause(100);
      const cli = spawn(process.execPath, ['--import', 'tsx', 'scripts/rebuild.ts'], { env: commandEnv(t.config) });
      let stdout = '', stderr = '';
      cli.stdout.on('data', (d) => (stdout += d));
      cli.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => cli.once('exit', r));
      while (!/rebuild \S+ started/.test(stderr)) await pause(20);
      // Past the 3 s timeout of the command's queue connection: its status polls fail meanwhile.
      process.kill(pid, 'SIGSTOP');
      await pause(4_500);
      process.kill(pid, 'SIGCONT');
      expect(await exited, stderr).toBe(0);
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ users: expect.any(Number), partitions: expect.any(Number) });
    } finally {
      process.kill(pid, 'SIGCONT');
      worker.kill('SIGKILL');
    }
  });

  it('Postgres restarted: 503 UNAVAILABLE within seconds while it is away, then it heals on its own', { timeout: 90_000 }, async () => {
    const l = load();
    await pause(1_000);
    await stopPostgres(pg.dataDir, 'immediate');
    const down = Date.now();
    await pause(3_000);
    await startPostgres(pg);
    const back = Date.now();
    const swipeWorks = async () => l.outcomes.some((o) => o.at >= back && o.kind !== 'page' && o.status < 300);
    const pageWorks = async () => l.outcomes.some((o) => o.at >= back && o.kind === 'page' && o.status === 200);
    const healMs = healedBy(back, [await until(ready), await until(swipeWorks), await until(pageWorks)]);
    await pause(500);
    const failed = report('Postgres restarted (down 3 s)', l.outcomes, await l.stop(), healMs);
    // While it was away the answers were 503 UNAVAILABLE, and after it was back and healed, none failed.
    expect(failed.every((o) => o.status === 503 && o.code === 'UNAVAILABLE')).toBe(true);
    expect(failed.filter((o) => o.at > back + healMs + 1_000)).toEqual([]);
    expect(failed.some((o) => o.at >= down)).toBe(true);
  });

  it('a worker killed mid-rebuild: another takes its partition over, and requests go on meanwhile', { timeout: 240_000 }, async () => {
    const victim = workerProcess(t.config);
    const rescuer = workerProcess(t.config);
    const l = load();
    let stopped: Awaited<ReturnType<typeof l.stop>> | undefined;
    try {
      const { rows } = await t.db.query<{ n: number }>('select count(*)::int as n from users');
      const jobId = await startRebuild(t.db, t.deps.queues, 8, 'test');
      // Worker processes take a while to start on a busy machine.
      const picked = await until(async () => (await t.deps.queues.partition.getActiveCount()) > 0, 120_000);
      expect(picked, 'a worker picked up a partition').toBeLessThan(Number.POSITIVE_INFINITY);
      victim.kill('SIGKILL');
      const killed = Date.now();
      const status = await waitForRebuild(t.deps.queues, jobId, 90_000);
      const healMs = Date.now() - killed;
      expect(status.state).toBe('completed');
      expect(status.result!.users).toBe(rows[0]!.n);
      await pause(500);
      stopped = await l.stop();
      // A busy Postgres (the rebuild's reads, a loaded machine) may answer some requests 503; report() holds the rest.
      report('worker killed mid-rebuild', l.outcomes, stopped, healMs);
    } finally {
      if (!stopped) await l.stop(); // never leave the load running past the test
      victim.kill('SIGKILL');
      rescuer.kill('SIGKILL');
    }
  });
});
