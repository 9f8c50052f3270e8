import { describe, expect, it } from 'vitest';
import { decodeField, decodeSimpleArray } from './copy-text.js';

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
