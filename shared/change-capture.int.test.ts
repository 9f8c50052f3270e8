// The change stream (sql/queries/changed_since.sql, migration 0008) read the way the live index and
// the incremental pass read it: a watermark snapshot, and the changes it did not see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { rows, sql } from './db.js';
import { newProfileSchema } from './profile.js';
import { insertUser } from './users.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const profile = (name: string) =>
  newProfileSchema.parse({
    name, age: 30, height: 170, gender: 'woman', interested_in: ['man'],
    preferred_age_min: 18, preferred_age_max: 99, preferred_height_min: 100, preferred_height_max: 250,
  });

const watermark = async () => (await rows(env.db, 'snapshot_xmin'))[0]!.snapshot as string;
const changed = async (seen: string, limit = 1000) => (await rows(env.db, 'changed_since', [seen, '0', 0, limit])).map((r) => r.id as number);

// A bulk load's transaction, left open: `rows` users inserted and not committed.
async function openBulkLoad(rowsIn: number) {
  const client = await env.db.connect();
  await client.query('begin');
  await client.query(
    `insert into users (name, age, height, gender, interested_in, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
     select 'Bulk ' || i, 30, 170, 'man', '{woman}', 18, 99, 100, 250 from generate_series(1, $1) i`,
    [rowsIn],
  );
  const { rows: [{ ids }] } = await client.query(`select array_agg(id order by id) as ids from users where name like 'Bulk %'`);
  return {
    ids: ids as number[],
    commit: async () => { await client.query('commit'); client.release(); },
    rollback: async () => { await client.query('rollback'); client.release(); },
  };
}

describe('change capture', () => {
  it('reads what committed around a long transaction once, and the transaction when it commits', async () => {
    await env.db.query('truncate users cascade');
    const before = await watermark();
    const bulk = await openBulkLoad(50);
    try {
      const a = (await insertUser(env.db, profile('A'))).id;
      expect(await changed(before)).toEqual([a]);
      // A poll read `a` in this snapshot: the next poll must not read it again, though the bulk
      // load began earlier and is still open (an xmin watermark would be held back by it).
      const afterA = await watermark();
      expect(await changed(afterA)).toEqual([]);
      const b = (await insertUser(env.db, profile('B'))).id;
      expect(await changed(afterA)).toEqual([b]);
      const afterB = await watermark();
      await bulk.commit();
      // Committed now: every row of it, though its xid is below what the watermark saw after.
      expect(await changed(afterB)).toEqual(bulk.ids);
      expect(await changed(await watermark())).toEqual([]);
    } finally {
      await bulk.rollback().catch(() => {});
    }
  });

  it('pages a large change in (change_xid, id) order, bounded per read', async () => {
    await env.db.query('truncate users cascade');
    const seen = await watermark();
    const bulk = await openBulkLoad(30);
    await bulk.commit();
    const a = (await insertUser(env.db, profile('A'))).id;
    const all: number[] = [];
    for (let after: [string, number] = ['0', 0]; ; ) {
      const batch = await rows(env.db, 'changed_since', [seen, after[0], after[1], 7]);
      expect(batch.length).toBeLessThanOrEqual(7);
      all.push(...batch.map((r) => r.id as number));
      if (batch.length < 7) break;
      after = [batch.at(-1)!.change_xid, batch.at(-1)!.id];
    }
    expect(all).toEqual([...bulk.ids, a]);
  });

  it('does not walk over the rows of a bulk load in progress', async () => {
    await env.db.query('truncate users cascade');
    await insertUser(env.db, profile('A'));
    const bulk = await openBulkLoad(20_000);
    try {
      const seen = await watermark(); // as after a poll while the load runs
      // Buffers touched by the read: the 20,000 uncommitted rows' index entries and heap pages are
      // several hundred; reading only what may be visible, a handful.
      const { rows: [plan] } = await env.db.query(`explain (analyze, buffers, format json) ${sql('changed_since')}`, [seen, '0', 0, 501]);
      const top = plan['QUERY PLAN'][0].Plan;
      expect(top['Actual Rows']).toBe(0);
      expect(top['Shared Hit Blocks'] + top['Shared Read Blocks']).toBeLessThan(60);
    } finally {
      await bulk.rollback();
    }
  });
});
