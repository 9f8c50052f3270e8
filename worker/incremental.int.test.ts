// The incremental pass: a new user reaches other people's cached lists without a full rebuild.
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, unpackList } from '../shared/feed-store.js';
import { startRebuild } from '../shared/rebuild.js';
import { seedUsers } from '../scripts/seed.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { inProcessWorkers, waitForRebuild } from '../test/support/workers.js';

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

  it('leaves a bulk load to the full rebuild instead of working through it 2,000 users a pass', async () => {
    await seedUsers(t.db, { users: 50_001, seed: 12 });
    const summary = await runPass();
    expect(summary).toMatchObject({ users: 0, skipped: expect.stringContaining('full rebuild') });
    // The cursor moved past the load: the next pass has nothing to do.
    expect((await runPass()).users).toBe(0);
  });
});
