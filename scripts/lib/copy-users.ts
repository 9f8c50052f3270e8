// Bulk loading through COPY, shared by `npm run seed` and `npm run import`: a block of user ids
// reserved under a short lock, rows encoded in COPY's text format and streamed in chunks.
import { type Client, type Pool, copyIn, pgErrorCode, withTransaction } from '../../shared/db.js';
import { BULK_LOADED } from '../../shared/live-index.js';
import type { NewProfile } from '../../shared/profile.js';

export const COPY_USERS = `copy users (id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
  preferred_height_min, preferred_height_max, bio) from stdin`;

const NULL = '\\N';
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: the delimiter, line breaks and backslash escaped. */
export function copyText(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : s;
}

/** A text[] literal (`{woman,man}`), elements quoted unless plain words (NULL unquoted would be a null). */
export function copyArray(items: readonly string[]): string {
  const plain = (x: string) => /^[A-Za-z_]+$/.test(x) && x.toUpperCase() !== 'NULL';
  const element = (x: string) => (plain(x) ? x : `"${x.replace(/["\\]/g, '\\$&')}"`);
  return copyText(`{${items.map(element).join(',')}}`);
}

const nullable = (x: string | null | undefined, encode: (v: string) => string) => (x == null ? NULL : encode(x));

/** One line of COPY_USERS. Numbers are trusted to be integers (validated or generated). */
export function encodeUser(id: number, p: NewProfile): string {
  return `${id}\t${copyText(p.name)}\t${p.age}\t${p.height}\t${nullable(p.gender, copyText)}\t${
    p.interested_in == null ? NULL : copyArray(p.interested_in)
  }\t${p.preferred_age_min}\t${p.preferred_age_max}\t${p.preferred_height_min}\t${p.preferred_height_max}\t${nullable(p.bio, copyText)}\n`;
}

const CHUNK_ROWS = 2000;

/**
 * Encoded rows joined into chunks of CHUNK_ROWS lines: one write per chunk keeps COPY fast without
 * ever holding every row. Sync sources are read without an await per row, which would cost more than the encoding.
 */
export async function* chunks<T>(
  items: Iterable<T> | AsyncIterable<T>,
  encode: (item: T, index: number) => string,
  onRows?: (n: number) => void,
): AsyncGenerator<string> {
  let buf = '';
  let i = 0;
  const add = (item: T) => {
    buf += encode(item, i++);
    return i % CHUNK_ROWS === 0;
  };
  const take = () => {
    const out = buf;
    buf = '';
    onRows?.(i % CHUNK_ROWS || CHUNK_ROWS);
    return out;
  };
  if (Symbol.iterator in items) {
    for (const item of items) if (add(item)) yield take();
  } else {
    for await (const item of items) if (add(item)) yield take();
  }
  if (buf) yield take();
}

export interface IdBlock {
  first: number;
  count: number;
}

/**
 * Reserves `count` consecutive ids above every id in use or handed out, and moves the identity
 * sequence past them, so registrations and other loads never collide with ours. The lock (which
 * blocks inserts, not reads) is held only for this short transaction: the COPY runs without it, and
 * a failed COPY merely leaves a gap in the ids.
 */
export async function reserveUserIds(pool: Pool, count: number): Promise<IdBlock> {
  return withTransaction(pool, async (tx) => {
    await tx.query('lock table users in share row exclusive mode');
    const { rows } = await tx.query<{ last: number }>(`select greatest(coalesce(max(id), 0),
      coalesce(pg_sequence_last_value(pg_get_serial_sequence('users', 'id')::regclass), 0))::int as last from users`);
    const last = rows[0]!.last;
    if (count > 0) await tx.query(`select setval(pg_get_serial_sequence('users', 'id'), $1)`, [last + count]);
    return { first: last + 1, count };
  });
}

/** COPYs profiles into users with ids from `ids`, on `client` (inside the caller's transaction). Returns the rows written. */
export async function copyUsers(
  client: Client,
  ids: IdBlock,
  profiles: Iterable<NewProfile> | AsyncIterable<NewProfile>,
  onRows?: (n: number) => void,
): Promise<number> {
  const encode = (p: NewProfile, i: number) => {
    if (i >= ids.count) throw new Error(`more profiles than the ${ids.count} ids reserved`);
    return encodeUser(ids.first + i, p);
  };
  const written = await copyIn(client, COPY_USERS, chunks(profiles, encode, onRows));
  if (written !== ids.count) throw new Error(`expected ${ids.count} profiles, got ${written}`);
  // Delivered at commit. A load's rows carry its start time, older than the changes the live
  // indexes poll for by then, so they reload instead (shared/live-index.ts).
  await client.query(`select pg_notify('${BULK_LOADED}', '')`);
  return written;
}

/** Reserves ids and loads `count` profiles in one transaction: all of them or none. */
export async function loadUsers(
  pool: Pool,
  count: number,
  profiles: Iterable<NewProfile> | AsyncIterable<NewProfile>,
  onRows?: (n: number) => void,
): Promise<IdBlock> {
  const ids = await reserveUserIds(pool, count);
  if (count > 0) await withTransaction(pool, (tx) => copyUsers(tx, ids, profiles, onRows));
  return ids;
}

/** Below this many users, updating the indexes during COPY costs less than rebuilding them. */
export const REBUILD_MIN_ROWS = 100_000;

/**
 * Before a large load into a fresh database (no users, hence no swipes or matches), drops the
 * secondary indexes of `tables` (constraint indexes stay) inside the caller's transaction and returns
 * the statements that recreate them. Building an index once is far cheaper than updating it row by
 * row: swipes_swipee_idx in particular takes random inserts that thrash a small buffer cache
 * (measured at 2M swipes: about 10 s maintained during the load, 3.5 s without). A rollback restores the indexes, so they are never lost; but DROP INDEX holds an
 * exclusive lock until commit that stalls every reader of these tables, which is why this happens
 * only when there is nothing to read yet (and the locks are free within 2 s).
 * Returns [] when the indexes stay and are maintained during the COPY.
 */
export async function dropIndexesIfEmpty(tx: Client, count: number, tables = ['users', 'swipes', 'matches']): Promise<string[]> {
  if (count < REBUILD_MIN_ROWS || (await tx.query('select 1 from users limit 1')).rowCount) return [];
  await tx.query('savepoint index_rebuild');
  try {
    await tx.query(`set local lock_timeout = '2s'`);
    await tx.query(`lock table ${tables.join(', ')} in access exclusive mode`);
    const { rows } = await tx.query<{ drop: string; create: string }>(`select format('drop index %s', i.indexrelid::regclass) as drop,
        pg_get_indexdef(i.indexrelid) as create
      from pg_index i where i.indrelid = any($1::regclass[])
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
        and not exists (select 1 from users)`, [tables]);
    if (!rows.length) { // someone registered meanwhile: give the locks back
      await tx.query('rollback to savepoint index_rebuild');
      return [];
    }
    for (const r of rows) await tx.query(r.drop);
    await tx.query('set local lock_timeout = default');
    await tx.query('release savepoint index_rebuild');
    return rows.map((r) => r.create);
  } catch (err) {
    if (pgErrorCode(err) !== '55P03') throw err; // lock_not_available: someone is using the tables, keep the indexes
    await tx.query('rollback to savepoint index_rebuild');
    return [];
  }
}

/**
 * Skips the per-row foreign-key checks of the COPYs that follow in this transaction (two lookups per
 * swipe: three quarters of its load time), as pg_restore --disable-triggers does. Only for rows that
 * reference users this same transaction inserted, which therefore exist and cannot be deleted by
 * anyone else before commit. Needs a superuser, and is refused when the tables carry triggers of
 * their own (replica mode would silently skip those too). Returns whether the checks are off.
 */
export async function skipForeignKeyChecks(tx: Client, tables: string[]): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(`select current_setting('is_superuser') = 'on' and not exists (
    select 1 from pg_trigger where tgrelid = any($1::regclass[]) and not tgisinternal) as ok`, [tables]);
  if (rows[0]?.ok) await tx.query('set local session_replication_role = replica');
  return rows[0]?.ok ?? false;
}
