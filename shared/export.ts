// A user's data export: one JSON document, streamed from one consistent Postgres snapshot. Rows come
// through COPY (one JSON text per row), so a user with a million swipes costs a chunk of memory, not
// the whole document.
import { type Interface, createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { decodeField } from './copy-text.js';
import { type Client, type Pool, copyOutQuery, rows } from './db.js';

/** The streamed sections, in order: [field, query in sql/queries]. */
const SECTIONS = [
  ['swipes', 'export_swipes'],
  ['matches', 'export_matches'],
  ['blocks', 'export_blocks'],
  ['reports', 'export_reports'],
] as const;

/** Rows are gathered into chunks of about this many characters before they are handed on. */
const CHUNK = 64 * 1024;

/**
 * Opens the export of `userId`: undefined when there is no such user (nothing is held open then).
 * Otherwise the document as chunks of text; the snapshot transaction and its connection are held
 * until the chunks run out or the consumer stops (return()), and released then.
 */
export async function openExport(pool: Pool, userId: number): Promise<AsyncGenerator<string> | undefined> {
  const client = await pool.connect();
  // Destroying the connection under a running COPY (a consumer that stopped) makes it emit an
  // error: that is the intended end, not a crash.
  client.on('error', () => {});
  let profile: string | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    profile = (await rows<{ profile: string }>(client, 'export_profile', [userId]))[0]?.profile;
  } catch (err) {
    client.release(true);
    throw err;
  }
  if (profile === undefined) {
    await client.query('rollback').finally(() => client.release());
    return undefined;
  }
  return chunks(client, userId, profile);
}

async function* chunks(client: Client, userId: number, profile: string): AsyncGenerator<string> {
  // A consumer that stops half-way leaves a COPY running on the connection: it is then destroyed,
  // not put back into the pool.
  let finished = false;
  let copy: Readable | undefined;
  let lines: Interface | undefined;
  try {
    yield `{"user_id":${userId},"exported_at":${JSON.stringify(new Date().toISOString())},"profile":${profile}`;
    for (const [field, query] of SECTIONS) {
      let buf = `,"${field}":[`;
      let first = true;
      copy = copyOutQuery(client, query, [userId]);
      lines = createInterface({ input: copy, crlfDelay: Infinity });
      for await (const line of lines) {
        buf += (first ? '' : ',') + decodeField(line);
        first = false;
        if (buf.length >= CHUNK) {
          yield buf;
          buf = '';
        }
      }
      yield `${buf}]`;
    }
    yield '}\n';
    await client.query('commit');
    finished = true;
  } finally {
    // The COPY cut short by destroying its connection fails with "Connection terminated", and the
    // line reader passes that on: expected, so heard and dropped.
    if (!finished) {
      copy?.on('error', () => {});
      lines?.on('error', () => {}).close();
    }
    client.release(!finished);
  }
}
