// The operator commands as a user runs them: separate processes on the test's database and Redis.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIncrementalPass } from '../shared/queues.js';
import { verifyUserToken } from '../shared/tokens.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { commandEnv } from '../test/support/env.js';
import { seedUsers } from './seed.js';

const run = promisify(execFile);
let t: TestApi;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  t = await createTestApi();
  env = commandEnv(t.config, { REBUILD_PARTITIONS: '4' });
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
    await seedUsers(t.db, { users: 500, seed: 5 });
    // An incremental pass is due: the command lends the rebuild its workers, not that pass.
    await requestIncrementalPass(t.deps.queues, 0);
    const { stdout } = await tsx('scripts/rebuild.ts');
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ users: 500, partitions: expect.any(Number), duration_ms: expect.any(Number), users_per_s: expect.any(Number) });
    expect(await t.deps.queues.incremental.getJobCounts('wait', 'active', 'completed')).toEqual({ wait: 1, active: 0, completed: 0 });
  });

  it('npm run migrate is safe to repeat', async () => {
    const { stdout } = await tsx('scripts/migrate.ts');
    expect(stdout).toContain('up to date');
  });
});
