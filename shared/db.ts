// The only module that imports pg: pools, queries by name, transactions and COPY.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { lowerBackendPriority } from './priority.js';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;
/** Anything a statement can run on: the pool, or a client inside a transaction. */
export type Db = pg.Pool | pg.PoolClient;

export interface PoolOptions {
  max?: number;
  /**
   * A long-lived process's pool (the API's, the workers'): the connections it opens stay open, so it
   * is a fixed-size pool once warm. Otherwise one left idle for `idleMs` is closed, and the next burst
   * of requests waits while Postgres starts a backend for each (a 1M-user probe run whose likes came
   * after 40 s of cached reads: eight new backends took 63-104 ms each for their first swipe).
   */
  keepOpen?: boolean;
  /** How long an idle connection above the kept ones stays open (30 s). */
  idleMs?: number;
  /** Postgres cancels a statement running longer (0: never). */
  statementTimeoutMs?: number;
  /** Postgres ends a session left idle inside a transaction this long (its locks are freed). */
  idleInTransactionMs?: number;
  /** Waiting for a connection (a new one, or a free one from a full pool) fails after this long. */
  connectTimeoutMs?: number;
  /**
   * Work that yields the CPU to requests (bulk loads, index loads): its sessions start no parallel
   * workers (they would run at normal priority beside it) and, Postgres being on this machine, its
   * backends run below normal priority, as the process does (shared/priority.ts).
   */
  background?: boolean;
}

/**
 * Requests: nothing may hang, so that a request answers (503 at worst) within seconds when Postgres
 * is away or stuck. Bulk work (COPY loads, migrations) passes BULK; a snapshot transaction (the
 * rebuild's and the live index's full reads) lifts the statement timeout for itself.
 */
export const REQUEST_POOL: Required<Omit<PoolOptions, 'max' | 'background' | 'keepOpen' | 'idleMs'>> = { statementTimeoutMs: 10_000, idleInTransactionMs: 30_000, connectTimeoutMs: 3_000 };
export const BULK: PoolOptions = { statementTimeoutMs: 0, idleInTransactionMs: 10 * 60_000, connectTimeoutMs: 10_000 };
const BULK_STATEMENT_MS = 60 * 60_000;

const LOCAL_HOST = /^(\/|localhost$|127\.|::1$)/; // a socket directory, or loopback

export function createPool(connectionString: string, options: number | PoolOptions = {}): Pool {
  const o = { max: 20, ...REQUEST_POOL, ...(typeof options === 'number' ? { max: options } : options) };
  const pool = new pg.Pool({
    connectionString,
    max: o.max,
    min: o.keepOpen ? o.max : 0,
    idleTimeoutMillis: o.idleMs ?? 30_000,
    connectionTimeoutMillis: o.connectTimeoutMs,
    statement_timeout: o.statementTimeoutMs,
    idle_in_transaction_session_timeout: o.idleInTransactionMs,
    keepAlive: true,
    ...(o.background ? { options: '-c max_parallel_workers_per_gather=0 -c max_parallel_maintenance_workers=0' } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  if (o.background) {
    // Postgres on this machine: its backend is lowered with us (its pid comes with the connection).
    pool.on('connect', (client) => {
      const { host, processID } = client as pg.PoolClient & { host: string; processID: number };
      if (LOCAL_HOST.test(host)) lowerBackendPriority(processID);
    });
  }
  return pool;
}

const queryDir = new URL('../sql/queries/', import.meta.url);
const cache = new Map<string, string>();

/** The text of sql/queries/<name>.sql, read once. */
export function sql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(fileURLToPath(new URL(`${name}.sql`, queryDir)), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export async function query<R extends pg.QueryResultRow = Record<string, any>>(
  db: Db,
  text: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return db.query<R>(text, params);
}

/** Runs a named query from sql/queries and returns its rows. */
export async function rows<R extends pg.QueryResultRow = Record<string, any>>(db: Db, name: string, params: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(sql(name), params)).rows;
}

/**
 * `rows`, as a named prepared statement: each connection parses and plans it once. For the hottest
 * statements only (a swipe): the server keeps one per connection.
 */
export async function preparedRows<R extends pg.QueryResultRow = Record<string, any>>(db: Db, name: string, params: unknown[] = []): Promise<R[]> {
  return (await db.query<R>({ name, text: sql(name), values: params })).rows;
}

export async function withClient<T>(pool: Pool, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no error listener of the pool's: without this one, a connection lost
  // mid-use (Postgres restarting) would be an uncaught exception. The query in flight fails anyway;
  // the broken client is then destroyed rather than returned to the pool.
  let lost: Error | undefined;
  const onError = (err: Error) => (lost = err);
  client.on('error', onError);
  try {
    return await fn(client);
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}

/**
 * `fn` in one transaction on one client; `snapshot` makes it a read-only repeatable-read one (one
 * consistent view), for full reads, which may run longer than a request's statement timeout.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: Client) => Promise<T>, mode: 'write' | 'snapshot' = 'write'): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query(mode === 'snapshot' ? `begin isolation level repeatable read read only; set local statement_timeout = ${BULK_STATEMENT_MS}` : 'begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  });
}

/** Streams `source` into `COPY ... FROM STDIN`; a failed stream rolls the COPY back. */
export async function copyIn(client: Client, copySql: string, source: Readable | AsyncIterable<string | Buffer>): Promise<number> {
  const sink = client.query(copyFrom(copySql));
  await pipeline(source, sink);
  return sink.rowCount ?? 0;
}

/** A readable stream of `COPY (...) TO STDOUT` output. The caller consumes it fully on `client`. */
export function copyOut(client: Client, copySql: string): Readable {
  return client.query(copyTo(copySql));
}

/** `COPY (<named query>) TO STDOUT`, with its $n replaced by integers (COPY takes no parameters). */
export function copyOutQuery(client: Client, name: string, ints: readonly number[]): Readable {
  const text = sql(name).replace(/\$(\d+)/g, (_, n: string) => {
    const v = ints[Number(n) - 1];
    if (!Number.isInteger(v)) throw new TypeError(`${name}: parameter $${n} must be an integer`);
    return String(v);
  });
  return copyOut(client, `copy (${text.replace(/^--.*$/gm, '').trim()}) to stdout`);
}

/**
 * Calls `onNotify` for every NOTIFY on `channel`, on a connection of its own (taken from the pool
 * for good). A lost connection is replaced after a pause and `onNotify` is called once, since
 * notifications may have been missed meanwhile. Returns a function that stops listening.
 */
export function listen(pool: Pool, channel: string, onNotify: () => void): () => Promise<void> {
  let client: { release(): void } | undefined;
  let stopped = false;
  const connect = async (): Promise<void> => {
    try {
      const c = await pool.connect();
      // Both an error and stop() give the connection back: only the first may.
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        c.release(true);
      };
      c.on('notification', (n) => n.channel === channel && onNotify());
      c.on('error', () => {
        release();
        client = undefined;
        if (!stopped) setTimeout(() => void connect().then(onNotify), 1_000).unref();
      });
      await c.query(`listen ${c.escapeIdentifier(channel)}`);
      if (stopped) release();
      else client = { release };
    } catch {
      if (!stopped) setTimeout(() => void connect().then(onNotify), 1_000).unref();
    }
  };
  void connect();
  return async () => {
    stopped = true;
    client?.release();
    client = undefined;
  };
}

export const pgErrorCode = (err: unknown): string | undefined => (err as { code?: string })?.code;
