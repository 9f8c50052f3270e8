import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withDatabase } from '../test/global-setup.js';
import { createPool } from './db.js';
import { migrate } from './migrate.js';

const admin = createPool(inject('adminDatabaseUrl'), 1);
afterAll(() => admin.end());

describe('migrate', () => {
  it('applies everything once when several processes start at the same moment, and is safe to repeat', async () => {
    const name = `mm_mig_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const pools = Array.from({ length: 4 }, () => createPool(withDatabase(inject('adminDatabaseUrl'), name), 2));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const applied = results.flat();
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length);
      expect(await migrate(pools[0]!)).toEqual([]);
      const recorded = await pools[0]!.query('select count(*)::int as n from schema_migrations');
      expect(recorded.rows[0].n).toBe(applied.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await admin.query(`drop database ${name} with (force)`);
    }
  });
});
