import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Pool, withClient } from './db.js';

const dir = fileURLToPath(new URL('../sql/migrations/', import.meta.url));
// Any fixed number: it serialises processes that start at the same moment.
const LOCK_KEY = 7_242_001;

/** Applies sql/migrations/NNNN_*.sql in order, each in its own transaction, recorded once. Safe to repeat. */
export async function migrate(pool: Pool): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return withClient(pool, async (client) => {
    // Waiting for another process's migrations, and a migration itself, may take longer than a
    // request's statement timeout (the pool's default).
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`create table if not exists schema_migrations (
        name text primary key, applied_at timestamptz not null default now())`);
      const done = new Set((await client.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name));
      const applied: string[] = [];
      for (const file of files.filter((f) => !done.has(f))) {
        const text = await readFile(`${dir}${file}`, 'utf8');
        await client.query('begin');
        try {
          await client.query(text);
          await client.query('insert into schema_migrations (name) values ($1)', [file]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
        applied.push(file);
      }
      return applied;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
      await client.query('reset statement_timeout');
    }
  });
}
