// One full rebuild at a time, whoever triggers it (operator route, `npm run rebuild`, the scheduler).
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildLockKey } from '../shared/rebuild.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { inProcessWorkers, waitForRebuild } from '../test/support/workers.js';
import { rebuildProcessor } from './processors/rebuild.js';

let t: TestApi;
let admin: string;
beforeAll(async () => {
  t = await createTestApi({ REBUILD_PARTITIONS: '3' });
  admin = t.config.ADMIN_TOKEN;
  for (let i = 0; i < 30; i++) await t.register({ name: `u${i}` });
});
afterAll(() => t.close());

const post = () => t.call('POST', '/admin/rebuild', { token: admin });
const runs = async () => (await t.deps.queues.rebuild.getJobs()).filter((j) => j.name === 'rebuild');

describe('POST /admin/rebuild', () => {
  it('starts one run for many concurrent triggers, names it to all, and a new one once it is done', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, post));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    const ids = new Set(answers.map((a) => a.body.job_id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.body.already_running !== true)).toHaveLength(1);
    expect(answers.filter((a) => a.body.already_running === true)).toHaveLength(7);
    expect(await runs()).toHaveLength(1);
    const [first] = ids;

    // The scheduler's start jobs join the running one too.
    const start = rebuildProcessor({ db: t.db, queues: t.deps.queues, partitions: 3 });
    expect(await start({ name: 'start', data: { trigger: 'schedule' } } as Job)).toEqual({ run_id: first, already_running: true });

    const workers = inProcessWorkers(t.config, t.db, t.deps.queues);
    try {
      expect((await waitForRebuild(t.deps.queues, first!)).state).toBe('completed');
      const next = await post();
      expect(next.status).toBe(202);
      expect(next.body.job_id).not.toBe(first);
      expect(next.body.already_running).toBeUndefined();
      expect((await waitForRebuild(t.deps.queues, next.body.job_id)).state).toBe('completed');
    } finally {
      await workers.close();
    }
    expect(await runs()).toHaveLength(2);
  });

  it('takes over from a run that ended without letting go (a failed run), atomically', async () => {
    const done = (await runs()).find((j) => j.finishedOn)!;
    // A failed run's parent never runs, so nothing releases its key: leave one naming an ended run.
    await t.deps.queues.connection.set(rebuildLockKey(t.deps.queues), done.id!);
    const answers = await Promise.all(Array.from({ length: 6 }, post));
    const ids = new Set(answers.map((a) => a.body.job_id));
    expect(ids.size).toBe(1);
    expect(ids.has(done.id)).toBe(false);
    expect(answers.filter((a) => a.body.already_running !== true)).toHaveLength(1);
    expect(await runs()).toHaveLength(3);
  });
});
