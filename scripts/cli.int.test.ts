// The operator commands as a user runs them: separate processes on the test's database and Redis.
import { execFile, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIncrementalPass } from '../shared/queues.js';
import { verifyUserToken } from '../shared/tokens.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { commandEnv } from '../test/support/env.js';
import { workerProcess } from '../test/support/workers.js';
import { seedUsers } from './seed.js';

const run = promisify(execFile);
let t: TestApi;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  t = await createTestApi();
  env = commandEnv(t.config, { REBUILD_PARTITIONS: '4' });
  await seedUsers(t.db, { users: 500, seed: 5 });
});
afterAll(() => t.close());

const tsx = (script: string, args: string[] = []) => run(process.execPath, ['--import', 'tsx', script, ...args], { env, timeout: 60_000 });

describe('commands', () => {
  it('npm run token prints a token for the user', async () => {
    const { stdout } = await tsx('scripts/token.ts', ['42']);
    expect(await verifyUserToken(t.config.JWT_SECRET, stdout.trim())).toMatchObject({ userId: 42 });
    await expect(tsx('scripts/token.ts', ['abc'])).rejects.toMatchObject({ code: 2 });
  });

  it('npm run rebuild waits for the run and prints its summary as the last line', async () => {
    // An incremental pass is due: the command lends the rebuild its workers, not that pass.
    await requestIncrementalPass(t.deps.queues, 0);
    const { stdout, stderr } = await tsx('scripts/rebuild.ts');
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ users: 500, partitions: expect.any(Number), duration_ms: expect.any(Number), users_per_s: expect.any(Number) });
    expect(stderr).toContain('no worker process is listening: this one ranks the partitions');
    expect(await t.deps.queues.incremental.getJobCounts('wait', 'active', 'completed')).toEqual({ wait: 1, active: 0, completed: 0 });
  });

  it('npm run rebuild leaves the partitions to a worker process that is listening', async () => {
    const worker = workerProcess(t.config);
    try {
      while ((await t.deps.queues.partition.getWorkersCount()) === 0) await new Promise((r) => setTimeout(r, 100));
      const before = new Set((await t.deps.queues.partition.getJobs(['completed'])).map((j) => j.id));
      const { stdout, stderr } = await tsx('scripts/rebuild.ts');
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ users: 500 });
      expect(stderr).toContain('worker processes are listening: the partitions are theirs');
      const ran = (await t.deps.queues.partition.getJobs(['completed'])).filter((j) => !before.has(j.id));
      expect(ran.length).toBeGreaterThan(0);
      expect(new Set(ran.map((j) => j.processedBy))).toEqual(new Set([`${hostname()}:${worker.pid}`]));
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });

  it('npm run rebuild ranks the rest itself when the worker process it left them to goes', { timeout: 60_000 }, async () => {
    // Short locks: a partition the killed process held waits for its lock to lapse before it is taken over.
    const locks = { WORKER_LOCK_MS: '1000', WORKER_STALLED_MS: '1000' };
    const worker = workerProcess(t.config, locks);
    while ((await t.deps.queues.partition.getWorkersCount()) === 0) await new Promise((r) => setTimeout(r, 100));
    const cli = spawn(process.execPath, ['--import', 'tsx', 'scripts/rebuild.ts'], { env: { ...env, ...locks } });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d) => (stdout += d));
    cli.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => cli.once('exit', r));
    while (!stderr.includes('the partitions are theirs')) await new Promise((r) => setTimeout(r, 50));
    worker.kill('SIGKILL');
    expect(await exited).toBe(0);
    expect(stderr).toContain('the worker processes are gone: this one ranks the rest');
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ users: 500 });
  });

  it('npm run migrate is safe to repeat', async () => {
    const { stdout } = await tsx('scripts/migrate.ts');
    expect(stdout).toContain('up to date');
  });
});
