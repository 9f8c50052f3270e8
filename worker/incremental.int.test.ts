// The incremental pass: a new user reaches other people's cached lists without a full rebuild.
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys, unpackList } from '../shared/feed-store.js';
import { LiveIndex } from '../shared/live-index.js';
import { rebuildLockKey, startRebuild } from '../shared/rebuild.js';
import { seedUsers } from '../scripts/seed.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { inProcessWorkers, waitForRebuild } from '../test/support/workers.js';
import { WAIT_FOR_REBUILD_MS, incrementalProcessor, rebuildHoldsPasses } from './processors/incremental.js';

let t: TestApi;
let workers: ReturnType<typeof inProcessWorkers>;
beforeAll(async () => {
  t = await createTestApi({ REBUILD_PARTITIONS: '4' });
  await seedUsers(t.db, { users: 3000, seed: 11 });
  workers = inProcessWorkers(t.config, t.db, t.deps.queues);
  await waitForRebuild(t.deps.queues, await startRebuild(t.db, t.deps.queues, 4, 'test'));
});
afterAll(async () => {
  await workers.close();
  await t.close();
});

async function runPass() {
  const job = await t.deps.queues.incremental.add('pass', {});
  for (let i = 0; i < 600; i++) {
    const state = await (await Job.fromId(t.deps.queues.incremental, job.id!))!.getState();
    if (state === 'completed') return (await Job.fromId(t.deps.queues.incremental, job.id!))!.returnvalue;
    if (state === 'failed') throw new Error('incremental pass failed');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('incremental pass did not finish');
}

const newcomer = (i: number) => ({
  name: `Newcomer ${i}`, age: 25 + (i % 10), height: 160 + (i % 20), gender: 'woman', interested_in: ['man'],
  preferred_age_min: 22, preferred_age_max: 40, preferred_height_min: 165, preferred_height_max: 195,
});

/** The pass itself, not through the queue: on its own live index, told by `rebuildRunning` when a rebuild runs. */
const processorOn = (live: LiveIndex, rebuildRunning: () => Promise<boolean>) =>
  incrementalProcessor({ db: t.db, redis: t.deps.redis, prefix: t.config.REDIS_PREFIX, cacheSize: t.config.FEED_CACHE_SIZE, live, rebuildRunning });

const cachedIds = async (uid: number) => {
  const buf = await t.deps.redis.getBuffer(keys(t.config.REDIS_PREFIX).feed(uid));
  return buf ? Array.from(unpackList(buf).ids) : [];
};

describe('incremental pass', () => {
  it('puts a new user into the lists of the people they fit best', async () => {
    const c = await t.register({
      name: 'Newcomer', age: 29, height: 167, gender: 'woman', interested_in: ['man'],
      preferred_age_min: 27, preferred_age_max: 34, preferred_height_min: 172, preferred_height_max: 190,
    });
    // Their own list follows the registration (computed behind its response).
    const ownPage = () => t.call('GET', `/potential_matches/${c.id}?limit=5`, { token: c.token });
    await expect.poll(async () => (await ownPage()).body.source, { timeout: 5000 }).toBe('cache');
    const own = await ownPage();
    const best = own.body.potential_matches.map((m: any) => m.id) as number[];
    expect(best.length).toBe(5);
    for (const v of best) expect(await cachedIds(v)).not.toContain(c.id);

    const summary = await runPass();
    expect(summary.users).toBeGreaterThanOrEqual(1);
    const reached = await Promise.all(best.map(async (v) => (await cachedIds(v)).includes(c.id)));
    // Each of them sees the newcomer unless their own list is full of better fits.
    expect(reached.filter(Boolean).length).toBeGreaterThan(0);
    const v = best[reached.indexOf(true)]!;
    const page = await t.call('GET', `/potential_matches/${v}?limit=100`, { token: await t.tokenFor(v) });
    expect(page.body.potential_matches.map((m: any) => m.id)).toContain(c.id);

    // A second pass has nothing new to do.
    expect((await runPass()).users).toBe(0);
  });

  it('waits while a full rebuild runs, and that rebuild lists the newcomer instead', async () => {
    // Partitions are held back, so the run stays in progress while the pass is asked.
    await t.deps.queues.partition.pause();
    let run: string;
    let c: { id: number; token: string };
    try {
      c = await t.register(newcomer(0));
      run = await startRebuild(t.db, t.deps.queues, 4, 'test');
      expect(await runPass()).toMatchObject({ users: 0, waited: expect.any(String) });
      // A run stuck for longer than WAIT_FOR_REBUILD_MS holds passes back no more.
      const holds = rebuildHoldsPasses(t.deps.queues);
      expect(await holds()).toBe(true);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + WAIT_FOR_REBUILD_MS + 1000);
      expect(await holds()).toBe(false);
    } finally {
      vi.useRealTimers();
      await t.deps.queues.partition.resume();
    }
    expect((await waitForRebuild(t.deps.queues, run!)).state).toBe('completed');
    // The run listed the newcomer with the people they fit, and moved the cursor past them: the pass
    // has nothing left.
    const own = await t.call('GET', `/potential_matches/${c!.id}?limit=5`, { token: c!.token });
    const best = own.body.potential_matches.map((m: any) => m.id) as number[];
    expect(best.length).toBe(5);
    const reached = await Promise.all(best.map(async (v) => (await cachedIds(v)).includes(c!.id)));
    expect(reached.filter(Boolean).length).toBeGreaterThan(0);
    expect((await runPass()).users).toBe(0);
    // A run that is over holds nothing back, even when its lock was never let go.
    await t.deps.redis.set(rebuildLockKey(t.deps.queues), run!);
    expect(await rebuildHoldsPasses(t.deps.queues)()).toBe(false);
    await t.deps.redis.del(rebuildLockKey(t.deps.queues));
  });

  it('stops a pass that a rebuild overtook, where the next pass picks up', async () => {
    for (let i = 0; i < 60; i++) await t.register(newcomer(i));
    const live = new LiveIndex(t.db);
    await live.ready();
    let looks = 0;
    // Free at the pass's start; a rebuild has begun by its next look, 50 users in.
    const pass = processorOn(live, async () => ++looks > 1);
    try {
      expect(await pass({} as Job)).toMatchObject({ users: 50, more: true, waited: expect.any(String) });
      looks = -1000;
      expect(await pass({} as Job)).toMatchObject({ users: 10, more: false });
    } finally {
      live.stop();
    }
  });

  it('gives up loading the live index when a rebuild begins meanwhile, and loads it on the next pass', async () => {
    await t.register(newcomer(100));
    const live = new LiveIndex(t.db);
    let looks = 0;
    // Free at the pass's start; a rebuild has begun by the next look, taken while the index loads.
    const pass = processorOn(live, async () => ++looks > 1);
    try {
      expect(await pass({} as Job)).toMatchObject({ users: 0, more: true, waited: expect.stringContaining('live index') });
      // The load was stopped, not left to finish behind the pass.
      await new Promise((r) => setTimeout(r, 1500));
      expect(live.loaded).toBe(false);
      looks = -1000;
      expect(await pass({} as Job)).toMatchObject({ users: 1, more: false });
      expect(live.loaded).toBe(true);
    } finally {
      live.stop();
    }
  });

  it('leaves a bulk load to the full rebuild instead of working through it 2,000 users a pass', async () => {
    await seedUsers(t.db, { users: 50_001, seed: 12 });
    const summary = await runPass();
    expect(summary).toMatchObject({ users: 0, skipped: expect.stringContaining('full rebuild') });
    // The cursor moved past the load: the next pass has nothing to do.
    expect((await runPass()).users).toBe(0);
  });
});
