// Background work yields the CPU to requests, Postgres's share of it included: a background pool's
// sessions start no parallel workers and, Postgres being on this machine, run at a lower priority.
import { statSync } from 'node:fs';
import { constants, getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { createPool } from './db.js';
import { lowerBackendPriority } from './priority.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

// Whether this process may lower a process of Postgres's user (root, or the same user).
const mayLower = (pid: number) => process.getuid!() === 0 || statSync(`/proc/${pid}`).uid === process.getuid!();

describe('a background pool', () => {
  it('runs its sessions without parallel workers, at a lower priority than the request pool', async () => {
    const bg = createPool(env.config.DATABASE_URL, { max: 1, background: true });
    try {
      const { rows: [s] } = await bg.query('select pg_backend_pid() as pid, current_setting(\'max_parallel_workers_per_gather\') as gather, current_setting(\'max_parallel_maintenance_workers\') as maintenance');
      expect(s).toMatchObject({ gather: '0', maintenance: '0' });
      const { rows: [r] } = await env.db.query('select pg_backend_pid() as pid, current_setting(\'max_parallel_maintenance_workers\') as maintenance');
      expect(r.maintenance).not.toBe('0');
      // Tests run on a local Postgres; it may itself run below normal (a test run under nice): never raised.
      const before = getPriority(r.pid);
      expect(getPriority(s.pid)).toBe(mayLower(s.pid) ? Math.max(before, constants.priority.PRIORITY_BELOW_NORMAL) : before);
    } finally {
      await bg.end();
    }
  });

  it('leaves alone a pid that is not a Postgres backend', () => {
    expect(lowerBackendPriority(process.pid)).toBe(false);
    expect(getPriority(process.pid)).toBe(getPriority());
  });
});
