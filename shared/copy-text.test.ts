import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyInt, copyText, decodeField, decodeSimpleArray, eachCopyRowBytes } from './copy-text.js';

describe('COPY text fields', () => {
  it.each([
    ['\\N', null],
    ['plain', 'plain'],
    ['tab\\there', 'tab\there'],
    ['line\\nbreak', 'line\nbreak'],
    ['back\\\\slash', 'back\\slash'],
    ['', ''],
  ])('decodes %j', (raw, want) => expect(decodeField(raw)).toBe(want));

  it('reads simple arrays', () => {
    expect(decodeSimpleArray('{woman,man}')).toEqual(['woman', 'man']);
    expect(decodeSimpleArray(null)).toBeNull();
  });
});

describe('COPY rows as bytes', () => {
  // COPY text of rows (int, text or null), as Postgres writes it.
  const escape = (t: string) => t.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  const row = fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.option(fc.string({ unit: 'binary' }), { nil: null }));

  it('gives every row and field, however the stream is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), async (rows, cuts) => {
        const text = Buffer.from(rows.map(([n, t]) => `${n}\t${t === null ? '\\N' : escape(t)}\n`).join(''));
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i, all) => text.subarray(from, all[i + 1] ?? text.length)).filter((c) => c.length);
        const got: [number, string | null][] = [];
        await eachCopyRowBytes(Readable.from(chunks), 2, (buf, s, e) => got.push([copyInt(buf, s[0]!, e[0]!), copyText(buf, s[1]!, e[1]!)]));
        expect(got).toEqual(rows);
      }),
    );
  });
});
