// Reading COPY ... TO STDOUT in text format: one row a line, tab-separated, \N for null, backslash escapes.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const escapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

export function decodeField(raw: string): string | null {
  if (raw === '\\N') return null;
  return raw.includes('\\') ? raw.replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c) : raw;
}

/** Calls `onRow` with the raw (still escaped) fields of every row; numbers need no decoding. */
export async function eachCopyRow(stream: Readable, onRow: (fields: string[]) => void): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    onRow(line.split('\t'));
    n++;
  }
  return n;
}

/** Postgres' text form of a text[] without quoting needs ({woman,man}): enough for our enum-like arrays. */
export const decodeSimpleArray = (raw: string | null): string[] | null => (raw === null ? null : raw.slice(1, -1).split(',').filter(Boolean));
