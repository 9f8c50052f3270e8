// The pool's life cycle: a long-lived process keeps the connections it opened, so a burst after a
// quiet spell does not wait for Postgres to start a backend per connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { createPool } from './db.js';
import { openResources } from './resources.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

/** How many connections a pool of three holds some time after three queries at once, with a 50 ms idle timeout. */
async function heldAfterIdle(keepOpen: boolean): Promise<{ busy: number; later: number }> {
  const pool = createPool(env.config.DATABASE_URL, { max: 3, keepOpen, idleMs: 50 });
  try {
    await Promise.all([1, 2, 3].map(() => pool.query('select pg_sleep(0.05)')));
    const busy = pool.totalCount;
    await new Promise((r) => setTimeout(r, 400));
    return { busy, later: pool.totalCount };
  } finally {
    await pool.end();
  }
}

describe('a pool', () => {
  it('keeps every connection it opened when it is a long-lived process\'s (keepOpen)', async () => {
    expect(await heldAfterIdle(true)).toEqual({ busy: 3, later: 3 });
  });

  it('closes connections left idle otherwise', async () => {
    expect(await heldAfterIdle(false)).toEqual({ busy: 3, later: 0 });
  });

  it('of the API and the workers (openResources) is kept open', async () => {
    const res = await openResources(env.config, 'test');
    try {
      expect((res.db as unknown as { options: { min: number; max: number } }).options).toMatchObject({ min: env.config.DB_POOL_SIZE, max: env.config.DB_POOL_SIZE });
    } finally {
      await res.close();
    }
  });
});
