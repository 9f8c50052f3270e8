import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../shared/users.js';
import { withTransaction } from '../shared/db.js';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { CsvFormatError, importCsv } from './import-csv.js';
import { REBUILD_MIN_ROWS, dropIndexesIfEmpty, loadUsers } from './lib/copy-users.js';
import { seedUsers } from './seed.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const count = async (table: string) => Number((await env.db.query(`select count(*) from ${table}`)).rows[0].count);
const csvFile = (name: string, text: string) => {
  const file = join(tmpdir(), `mm-import-${process.pid}-${name}.csv`);
  writeFileSync(file, text);
  return file;
};
const HEADER = 'name,age,height,gender,interested_in,preferred_age_min,preferred_age_max,preferred_height_min,preferred_height_max,bio\n';

describe('dropIndexesIfEmpty', () => {
  it('drops the secondary indexes for a large load into a fresh database, and a rollback brings them back', async () => {
    const secondary = `select indexname from pg_indexes where tablename in ('users', 'swipes', 'matches') and indexname not like '%_pkey' order by 1`;
    const before = (await env.db.query(secondary)).rows;
    expect(before.map((r) => r.indexname)).toContain('swipes_swipee_idx');
    await expect(withTransaction(env.db, async (tx) => {
      expect(await dropIndexesIfEmpty(tx, REBUILD_MIN_ROWS - 1)).toEqual([]);
      const creates = await dropIndexesIfEmpty(tx, REBUILD_MIN_ROWS);
      expect(creates).toHaveLength(before.length);
      expect(creates).toContainEqual(expect.stringMatching(/swipes_swipee_idx .*\(swipee_id, kind, swiper_id\)/i));
      expect((await tx.query(secondary)).rowCount).toBe(0);
      expect((await tx.query(`select 1 from pg_indexes where tablename in ('users', 'swipes', 'matches')`)).rowCount).toBe(3); // the primary keys
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect((await env.db.query(secondary)).rows).toEqual(before);
  });

  it('keeps the indexes when there are users already', async () => {
    await insertUser(env.db, { name: 'First', age: 30, height: 170, preferred_age_min: 25, preferred_age_max: 35,
      preferred_height_min: 150, preferred_height_max: 190 });
    expect(await withTransaction(env.db, (tx) => dropIndexesIfEmpty(tx, REBUILD_MIN_ROWS))).toEqual([]);
  });
});

describe('seedUsers', () => {
  it('loads users, swipes and matches, and registrations continue after the last id', async () => {
    const s = await seedUsers(env.db, { users: 2000, seed: 11 });
    // Vacuumed, not only analyzed, before it returns.
    const vacuumed = (await env.db.query(`select relname, vacuum_count from pg_stat_user_tables where relname in ('users', 'swipes', 'matches') order by 1`)).rows;
    expect(vacuumed.map((r) => [r.relname, Number(r.vacuum_count)])).toEqual([['matches', 1], ['swipes', 1], ['users', 1]]);
    expect(s).toMatchObject({ users: 2000, last_id: s.first_id + 1999, indexes: 'maintained', fk_checks: false });
    expect(await count('users')).toBe(2001);
    expect(s.swipes).toBeGreaterThan(3000);
    expect(s.matches).toBeGreaterThan(50);
    expect(await count('swipes')).toBe(s.swipes);
    expect(await count('matches')).toBe(s.matches);
    // Unchecked foreign keys must still hold, and every match is a pair of mutual likes.
    const orphans = await env.db.query(`select 1 from swipes s where not exists (select 1 from users u where u.id = s.swiper_id)
      or not exists (select 1 from users u where u.id = s.swipee_id)`);
    expect(orphans.rowCount).toBe(0);
    const unmatched = await env.db.query(`select 1 from matches m where not exists (select 1 from swipes a join swipes b
      on b.swiper_id = a.swipee_id and b.swipee_id = a.swiper_id where a.swiper_id = m.user_low and a.swipee_id = m.user_high
      and a.kind = 'like' and b.kind = 'like')`);
    expect(unmatched.rowCount).toBe(0);

    const registered = await insertUser(env.db, { name: 'After', age: 30, height: 170, preferred_age_min: 25, preferred_age_max: 35,
      preferred_height_min: 150, preferred_height_max: 190 });
    expect(registered.id).toBeGreaterThan(s.last_id);

    const again = await seedUsers(env.db, { users: 500, seed: 11, swipesPerUser: 1 });
    expect(again.first_id).toBeGreaterThan(registered.id);
    expect(await count('users')).toBe(2502);
    expect(await count('swipes')).toBe(s.swipes + again.swipes);
  });
});

describe('loadUsers', () => {
  it('round-trips text that COPY must escape, nulls and gender lists', async () => {
    const tricky = [
      { name: 'Tab\there', age: 30, height: 170, gender: null, interested_in: null, preferred_age_min: 25, preferred_age_max: 35,
        preferred_height_min: 150, preferred_height_max: 190, bio: 'back\\slash \\N new\nline\r\n "quotes", {braces} ✨' },
      { name: 'Ünïcode 李', age: 18, height: 100, gender: 'nonbinary' as const, interested_in: ['woman' as const, 'man' as const, 'nonbinary' as const],
        preferred_age_min: 18, preferred_age_max: 120, preferred_height_min: 100, preferred_height_max: 250, bio: '' },
    ];
    const ids = await loadUsers(env.db, tricky.length, tricky);
    const { rows } = await env.db.query(`select name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
      preferred_height_min, preferred_height_max, bio from users where id >= $1 order by id`, [ids.first]);
    expect(rows).toEqual(tricky);
  });

  it('loads nothing when there are fewer profiles than ids reserved', async () => {
    const before = await count('users');
    await expect(loadUsers(env.db, 3, [])).rejects.toThrow(/expected 3/);
    expect(await count('users')).toBe(before);
  });
});

describe('importCsv', () => {
  it('refuses a file with one bad row, loading nothing, and says which line and field', async () => {
    const before = await count('users');
    const file = csvFile('bad', HEADER +
      'Ann,30,165,woman,man,28,36,170,195,Hi\n' +
      'Bob,17,180,man,woman,25,35,150,175,\n' +
      'Cy,40,175,,,30,50,150,200,"multi\nline, quoted"\n');
    const r = await importCsv(env.db, file);
    expect(r).toMatchObject({ rows: 3, loaded: 0, invalid: 1, firstId: null });
    expect(r.problems).toEqual([{ line: 3, issues: [{ field: 'age', message: expect.any(String) }] }]);
    expect(await count('users')).toBe(before);
  });

  it('lists the first 20 problems and counts them all', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `P${i},abc,170,robot,woman;cat,40,30,150,190,\n`).join('');
    const r = await importCsv(env.db, csvFile('many', HEADER + rows + 'short,row\n'));
    expect(r.invalid).toBe(26);
    expect(r.problems).toHaveLength(20);
    expect(r.problems[0]!.issues.map((i) => i.field).sort()).toEqual(['age', 'gender', 'interested_in', 'preferred_age_min']);
  });

  it('loads a good file: empty cells are absent, interested_in is split on ;', async () => {
    const file = csvFile('good', '\ufeffName,age,height,gender,interested_in,preferred_age_min,preferred_age_max,preferred_height_min,preferred_height_max,bio\r\n' +
      '  Ann  ,30,165,woman,man;woman,28,36,170,195,"Likes ""quotes"", commas\nand lines"\r\n' +
      'Cy,40,175,,,30,50,150,200,\r\n');
    const r = await importCsv(env.db, file);
    expect(r).toMatchObject({ rows: 2, loaded: 2, invalid: 0 });
    const { rows } = await env.db.query('select name, gender, interested_in, bio from users where id >= $1 order by id', [r.firstId]);
    expect(rows).toEqual([
      { name: 'Ann', gender: 'woman', interested_in: ['woman', 'man'], bio: 'Likes "quotes", commas\nand lines' },
      { name: 'Cy', gender: null, interested_in: null, bio: null },
    ]);
  });

  it('rejects a file whose header is not the profile fields', async () => {
    await expect(importCsv(env.db, csvFile('header', 'name,age,colour\nAnn,30,red\n'))).rejects.toThrow(CsvFormatError);
    await expect(importCsv(env.db, csvFile('empty', ''))).rejects.toThrow(/empty/);
    await expect(importCsv(env.db, join(tmpdir(), 'mm-no-such-file.csv'))).rejects.toThrow(CsvFormatError);
  });
});
