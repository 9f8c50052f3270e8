// Full rebuilds with real Postgres, Redis and BullMQ workers (in this process and as separate processes).
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProfileSchema } from '../shared/profile.js';
import { startRebuild } from '../shared/rebuild.js';
import { insertUser } from '../shared/users.js';
import { recountSwipeCounts } from '../shared/swipe-counts.js';
import { seedUsers } from '../scripts/seed.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { expectedApiPage, expectedPage, loadWorld } from '../test/support/feed-oracle.js';
import { randomProfile, randomSwipes, rng } from '../test/support/population.js';
import { inProcessWorkers, waitForRebuild, workerProcess } from '../test/support/workers.js';

async function pagesAgreeWithOracle(t: TestApi, limit: number) {
  const world = await loadWorld(t.db);
  let cached = 0;
  for (const u of world.users) {
    const res = await t.call('GET', `/potential_matches/${u.id}?limit=${limit}`, { token: await t.tokenFor(u.id) });
    expect(res.body.potential_matches.map((c: any) => ({ id: c.id, score: c.score })), `user ${u.id} (${res.body.source})`).toEqual(
      expectedApiPage(world, u, limit),
    );
    if (res.body.source === 'cache') cached++;
  }
  return cached / world.users.length;
}

describe('full rebuild', () => {
  let t: TestApi;
  beforeAll(async () => {
    // Ranking threads even for this small population: the oracle check covers the threaded path.
    t = await createTestApi({ REBUILD_PARTITIONS: '6', REBUILD_THREADS: '2' });
  });
  afterAll(() => t.close());

  it('writes every user a list whose page equals the oracle, and reports a summary', async () => {
    const r = rng(7);
    const ids: number[] = [];
    for (let i = 0; i < 250; i++) ids.push((await insertUser(t.db, newProfileSchema.parse(randomProfile(r, i, i % 3 > 0)))).id);
    await randomSwipes(t.db, r, ids, 1500);
    await t.db.query(`update users set interests = case id % 3 when 0 then '{hiking,jazz}'::text[] when 1 then '{jazz}' end`);
    await recountSwipeCounts(t.db); // counters for the swipes just written (they bypassed the like transaction); live indexes reload
    const workers = inProcessWorkers(t.config, t.db, t.deps.queues);
    try {
      const status = await waitForRebuild(t.deps.queues, await startRebuild(t.db, t.deps.queues, 6, 'test'));
      expect(status.state).toBe('completed');
      expect(status.result).toMatchObject({ users: 250, partitions: expect.any(Number), duration_ms: expect.any(Number), users_per_s: expect.any(Number) });
      expect(status.result!.partitions).toBeGreaterThan(1);
      const cachedShare = await pagesAgreeWithOracle(t, 10);
      expect(cachedShare).toBeGreaterThan(0.5);
    } finally {
      await workers.close();
    }
  });

  it('answers the operator routes: start, status, dashboard; refuses others', async () => {
    const workers = inProcessWorkers(t.config, t.db, t.deps.queues);
    try {
      const admin = { authorization: `Bearer ${t.config.ADMIN_TOKEN}` };
      expect((await t.call('POST', '/admin/rebuild')).status).toBe(401);
      expect((await t.call('POST', '/admin/rebuild', { token: await t.tokenFor(1) })).status).toBe(401);
      const started = await t.call('POST', '/admin/rebuild', { headers: admin });
      expect(started.status).toBe(202);
      const { job_id } = started.body;
      await waitForRebuild(t.deps.queues, job_id);
      const status = await t.call('GET', `/admin/rebuild/${job_id}`, { headers: admin });
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ job_id, state: 'completed', progress: 100, result: { users: expect.any(Number) } });
      expect((await t.call('GET', '/admin/rebuild/nope', { headers: admin })).status).toBe(404);
      const basic = `Basic ${Buffer.from(`ops:${t.config.ADMIN_TOKEN}`).toString('base64')}`;
      const board = await t.call('GET', '/admin/queues', { headers: { authorization: basic } });
      expect(board.status).toBe(200);
      expect(String(board.body)).toContain('<html');
      const denied = await t.call('GET', '/admin/queues');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toContain('Basic');
    } finally {
      await workers.close();
    }
  });
});

describe('rebuilds across worker processes', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ REBUILD_PARTITIONS: '12', WORKER_LOCK_MS: '2000', WORKER_STALLED_MS: '1000' });
    await seedUsers(t.db, { users: 12_000, seed: 3 });
  });
  afterAll(() => t.close());

  it('shares one rebuild between two worker processes', async () => {
    const a = workerProcess(t.config);
    const b = workerProcess(t.config);
    try {
      const jobId = await startRebuild(t.db, t.deps.queues, 12, 'test');
      const status = await waitForRebuild(t.deps.queues, jobId);
      expect(status.state).toBe('completed');
      expect(status.result!.users).toBe(12_000);
      const children = await Promise.all(Array.from({ length: status.result!.partitions }, (_, i) => Job.fromId(t.deps.queues.partition, `${jobId}-p${i}`)));
      const by = new Set(children.map((j) => j?.processedBy?.split(':').pop()));
      expect(by).toEqual(new Set([String(a.pid), String(b.pid)]));
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    }
  });

  it('completes when a worker is killed mid-rebuild, and readers never get a short page meanwhile', { timeout: 120_000 }, async () => {
    const victim = workerProcess(t.config);
    const world = await loadWorld(t.db);
    const sample = world.users.filter((_, i) => i % 97 === 0);
    const want = new Map(sample.map((u) => [u.id, Math.min(20, expectedPage(world, u, 20).length)]));
    let reading = true;
    let reads = 0;
    const readers = (async () => {
      while (reading) {
        for (const u of sample) {
          const res = await t.call('GET', `/potential_matches/${u.id}?limit=20`, { token: await t.tokenFor(u.id) });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.potential_matches.length, `user ${u.id} (${res.body.source})`).toBe(want.get(u.id));
          reads++;
        }
      }
    })();
    let rescuer: ReturnType<typeof inProcessWorkers> | undefined;
    try {
      const jobId = await startRebuild(t.db, t.deps.queues, 12, 'test');
      // Kill the only worker while it holds a partition; then another worker must take that partition over.
      for (let i = 0; (await t.deps.queues.partition.getActiveCount()) === 0; i++) {
        if (i > 2000) throw new Error('the worker never picked up a partition');
        await new Promise((r) => setTimeout(r, 5));
      }
      victim.kill('SIGKILL');
      const orphan = (await t.deps.queues.partition.getActive())[0]!;
      rescuer = inProcessWorkers(t.config, t.db, t.deps.queues);
      const status = await waitForRebuild(t.deps.queues, jobId);
      expect(status.state).toBe('completed');
      expect(status.result!.users).toBe(12_000);
      const taken = await Job.fromId(t.deps.queues.partition, orphan.id!);
      expect(taken!.stalledCounter + taken!.attemptsStarted).toBeGreaterThan(1);
    } finally {
      reading = false;
      await readers;
      victim.kill('SIGKILL');
      await rescuer?.close();
    }
    expect(reads).toBeGreaterThan(0);
  });
});
