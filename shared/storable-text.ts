// Strings Postgres can store as given. It refuses NUL (0x00) in text, and a lone UTF-16 surrogate
// has no UTF-8 form (the driver would silently store U+FFFD instead). Both are a client's mistake: 400.
import type { ErrorDetail } from './errors.js';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored, or undefined when it can. */
export function unstorable(s: string): string | undefined {
  if (NUL.test(s)) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (a lone surrogate cannot be stored)';
  return undefined;
}

/** Every string in a parsed JSON value (keys included) that cannot be stored, named by its path. */
export function unstorableFields(value: unknown, path = ''): ErrorDetail[] {
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (typeof value === 'string') {
    const why = unstorable(value);
    return why ? [{ field: path || '(body)', message: why }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableFields(v, at(i)));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      const why = unstorable(k);
      return why ? [{ field: at(k.replace(/\u0000/g, '\\0')), message: `the field name ${why}` }] : unstorableFields(v, at(k));
    });
  }
  return [];
}
