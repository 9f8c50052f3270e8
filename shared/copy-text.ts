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

/**
 * Rows of COPY text output as byte ranges, for bulk reads where readline and a string per field
 * cost more than the query: onRow gets the buffer holding the row and each field's [start, end).
 * Fields are still escaped (see decodeField); integers can be read with copyInt.
 */
export async function eachCopyRowBytes(stream: Readable, columns: number, onRow: (buf: Buffer, start: Int32Array, end: Int32Array) => void): Promise<number> {
  const start = new Int32Array(columns + 1);
  const end = new Int32Array(columns + 1);
  let carry: Buffer | undefined;
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let field = 0;
    let line = 0;
    start[0] = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === 9) {
        end[field] = i;
        if (field < columns) field++;
        start[field] = i + 1;
      } else if (c === 10) {
        end[field] = i;
        onRow(buf, start, end);
        n++;
        field = 0;
        line = i + 1;
        start[0] = line;
      }
    }
    carry = line < buf.length ? buf.subarray(line) : undefined;
  }
  return n;
}

/** An integer field of eachCopyRowBytes (COPY writes integers as plain decimal digits). */
export function copyInt(buf: Buffer, start: number, end: number): number {
  let i = start, sign = 1, n = 0;
  if (buf[i] === 45) {
    sign = -1;
    i++;
  }
  for (; i < end; i++) n = n * 10 + buf[i]! - 48;
  return sign * n;
}

/** A text field of eachCopyRowBytes: null for \N, else unescaped. */
export function copyText(buf: Buffer, start: number, end: number): string | null {
  if (end - start === 2 && buf[start] === 92 && buf[start + 1] === 78) return null;
  const raw = buf.toString('utf8', start, end);
  return buf.indexOf(92, start) >= 0 && buf.indexOf(92, start) < end ? decodeField(raw) : raw;
}
