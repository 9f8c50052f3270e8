// Every route in the OpenAPI document, fuzzed: random methods, paths, params, headers and bodies
// (valid-ish ones built from each route's own schema, and garbage). Whatever comes in, the answer is
// never a 5xx, and every error has the contract's body. New routes are covered as they are added.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../test/support/api.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const PARALLEL = 16;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

type Schema = Record<string, any>;
interface Route { method: string; path: string; body?: Schema; query: Schema[] }

let t: TestApi;
let routes: Route[];
let components: Record<string, Schema>;
const users: { id: number; token: string }[] = [];

beforeAll(async () => {
  t = await createTestApi({ RATE_LIMITS: 'off' });
  for (let i = 0; i < 4; i++) users.push(await t.register({ name: `fuzz ${i}` }));
  const doc = (await t.call('GET', '/openapi.json')).body;
  components = doc.components?.schemas ?? {};
  routes = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      body: op.requestBody?.content?.['application/json']?.schema,
      query: (op.parameters ?? []).filter((p: any) => p.in === 'query'),
    })),
  );
});
afterAll(() => t?.close());

// Values Postgres or JSON handling might choke on.
const nasty = fc.constantFrom(
  '\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uFFFF', '\u202E', '💘'.repeat(60), ' ', '', 'null', '%00', "'; drop table users; --",
  'a'.repeat(101), 'a'.repeat(501), 'a'.repeat(5000), '\t\n', 'ÄÖÜ', '0', '-1', '1e309',
);
const nastyNumber = fc.constantFrom(0, -1, 17, 121, 99, 251, 2_147_483_647, 2_147_483_648, -2_147_483_649, 1e308, 1.5, Number.MAX_SAFE_INTEGER, -0);
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  nasty, nastyNumber, fc.constant(null), fc.boolean(), fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 }),
);

/** A value that mostly fits `schema`, with garbage mixed in at any depth. */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return garbage;
  if (schema.$ref) return fromSchema(components[schema.$ref.split('/').pop()], depth + 1);
  const fits = fits0(schema, depth);
  return fc.oneof({ arbitrary: fits, weight: 20 }, { arbitrary: garbage, weight: 1 });
}

function fits0(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const options = s.anyOf ?? s.oneOf;
  if (options) return fc.oneof(...options.map((o: Schema) => fromSchema(o, depth + 1)));
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type : [s.type];
  const one = (ty: string | undefined): fc.Arbitrary<unknown> => {
    switch (ty) {
      case 'null': return fc.constant(null);
      case 'boolean': return fc.boolean();
      case 'integer': return fc.oneof({ weight: 8, arbitrary: fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 }) }, { weight: 1, arbitrary: nastyNumber });
      case 'number': return fc.oneof({ weight: 8, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: nastyNumber });
      case 'string': {
        const max = Math.min(s.maxLength ?? 30, 40);
        const text = fc.string({ minLength: Math.max(1, s.minLength ?? 0), maxLength: max });
        return fc.oneof(
          { weight: 6, arbitrary: text },
          // Fits the length but holds a character Postgres refuses or UTF-8 cannot carry.
          { weight: 2, arbitrary: fc.tuple(text, fc.constantFrom('\u0000', '\uD800', '\uDC00'), text).map(([a, c, b]) => (a + c + b).slice(0, max)) },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: max }) },
          { weight: 1, arbitrary: nasty },
        );
      }
      case 'array': return fc.array(fromSchema(s.items, depth + 1), { maxLength: (s.maxItems ?? 5) + 1 });
      case 'object': {
        const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
        const record: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, depth + 1)]));
        // Required fields are usually there (so requests get past the first check), sometimes not.
        const base = fc.oneof({ weight: 4, arbitrary: fc.record(record, { requiredKeys: s.required ?? [] }) }, { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) });
        return fc.tuple(base, fc.dictionary(fc.string({ maxLength: 8 }), garbage, { maxKeys: 2 })).map(([b, extra]) => ({ ...extra, ...b }));
      }
      default: return garbage;
    }
  };
  return fc.oneof(...type.map(one));
}

const segment = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('own', 'other', 'missing').map((k) => k) },
    { weight: 2, arbitrary: fc.constantFrom('0', '-1', '01', '2147483647', '2147483648', '99999999999999999999', '1.5', '1e3', 'abc', '%00', '%F0', '%E2%82', 'a%00b', '%25', '..', ' ', 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
  );

interface Req { method: string; url: string; headers: Record<string, string>; body?: string; route: string }

/** Orders every `<x>_min` / `<x>_max` pair of numbers, so that plausible bodies get past the range check. */
function ordered(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const v = { ...(value as Record<string, unknown>) };
  for (const k of Object.keys(v)) {
    const max = k.replace(/_min$/, '_max');
    if (max !== k && typeof v[k] === 'number' && typeof v[max] === 'number' && (v[k] as number) > (v[max] as number)) [v[k], v[max]] = [v[max], v[k]];
  }
  return v;
}

const wild = () =>
  fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') }),
    segments: fc.array(segment(), { minLength: 3, maxLength: 3 }),
    auth: fc.constantFrom('own', 'own', 'own', 'other', 'admin', 'basic-admin', 'garbage', 'none', 'expired-ish'),
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined, 'application/jsonx'),
    bodyKind: fc.constantFrom('schema', 'schema', 'schema', 'json', 'bad-json', 'oversized', 'empty', 'none'),
    trailing: fc.constantFrom('', '', '', '', '', '', '', '', '/', '//x'),
  });
// As a client would send it, except for the values (which still hold NULs, surrogates and garbage).
const plausible = () =>
  fc.record({
    method: fc.constant(undefined),
    segments: fc.array(fc.constantFrom('own', 'own', 'other'), { minLength: 3, maxLength: 3 }),
    auth: fc.constantFrom('own', 'admin'),
    contentType: fc.constant('application/json'),
    bodyKind: fc.constant('schema'),
    trailing: fc.constant(''),
  });

const requestArb = () =>
  fc
    .record({
      route: fc.oneof(...routes.map((r) => ({ weight: r.body || r.path.includes('{') ? 4 : 1, arbitrary: fc.constant(r) }))),
      shape: fc.oneof(wild(), plausible()),
      as: fc.integer({ min: 0, max: users.length - 1 }),
      query: fc.option(fc.oneof(fc.constantFrom('limit=1', 'limit=100', 'limit=0', 'limit=101', 'limit=-5', 'limit=abc', 'limit=1&limit=2', 'limit=%00', 'limit=99999999999'), fc.string({ maxLength: 10 }).map((s) => `x=${encodeURIComponent(s)}`)), { freq: 2 }),
      extraHeaders: fc.dictionary(fc.constantFrom('idempotency-key', 'origin', 'sec-fetch-site', 'accept', 'x-forwarded-for'), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }), { maxKeys: 2 }),
    })
    .chain((r) => fc.tuple(fromSchema(r.route.body), fc.jsonValue({ maxDepth: 3 })).map(([value, json]) => ({ ...r, value, json })))
    .map((r): Req => {
      const { shape } = r;
      const me = users[r.as]!;
      const other = users[(r.as + 1) % users.length]!;
      let i = 0;
      const path = r.route.path.replace(/\{[^}]+\}/g, () => {
        const s = shape.segments[i++]!;
        return s === 'own' ? String(me.id) : s === 'other' ? String(other.id) : s === 'missing' ? '2000000000' : s;
      });
      const method = shape.method ?? r.route.method;
      const headers: Record<string, string> = { ...r.extraHeaders };
      const admin = t.config.ADMIN_TOKEN;
      const auth = {
        own: `Bearer ${me.token}`, other: `Bearer ${other.token}`, admin: `Bearer ${admin}`,
        'basic-admin': `Basic ${Buffer.from(`x:${admin}`).toString('base64')}`, garbage: 'Bearer not.a.token', none: undefined,
        'expired-ish': `Bearer ${me.token.slice(0, -3)}abc`,
      }[shape.auth];
      if (auth) headers.authorization = auth;
      let body: string | undefined;
      if (method !== 'GET' && method !== 'HEAD') {
        if (shape.contentType) headers['content-type'] = shape.contentType;
        body = {
          schema: JSON.stringify(ordered(r.value)),
          json: JSON.stringify(r.json),
          'bad-json': '{"name": "x",',
          oversized: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
          empty: '',
          none: undefined,
        }[shape.bodyKind];
      }
      return { method, url: `${path}${shape.trailing}${r.query ? `?${r.query}` : ''}`, headers, body, route: `${r.route.method} ${r.route.path}` };
    });

describe('fuzzing every route of the OpenAPI document', () => {
  it(`answers ${REQUESTS} random requests without a 5xx, every error in the contract's shape`, async () => {
    expect(routes.length).toBeGreaterThan(5);
    const requests = fc.sample(requestArb(), { numRuns: REQUESTS, seed: SEED });
    const serverErrors: string[] = [];
    const badShapes: string[] = [];
    const hit = new Set<string>();
    const statuses = new Map<number, number>();
    const perRoute = new Map<string, number>();
    for (let from = 0; from < requests.length; from += PARALLEL) {
      await Promise.all(
        requests.slice(from, from + PARALLEL).map(async (r) => {
          hit.add(r.route);
          const { status, text, type } = await send(r);
          const what = `${status} ${r.method} ${r.url} ${r.headers['content-type'] ?? ''} ${(r.body ?? '').slice(0, 120)} -> ${text.slice(0, 160)}`;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (process.env.FUZZ_DEBUG) perRoute.set(`${r.route} ${status}`, (perRoute.get(`${r.route} ${status}`) ?? 0) + 1);
          if (status >= 500) serverErrors.push(what);
          if (status >= 400 && r.method !== 'HEAD' && !r.url.startsWith('/admin/queues/')) {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {}
            if (!type.includes('application/json') || !matches(body)) badShapes.push(what);
          }
        }),
      );
    }
    console.log(`fuzz: ${requests.length} requests over ${hit.size}/${routes.length} routes (seed ${SEED}); 5xx: ${serverErrors.length}; bad error bodies: ${badShapes.length}`);
    console.log(`fuzz statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(' ')}`);
    if (process.env.FUZZ_DEBUG) console.log([...perRoute].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
    for (const e of [...new Set(serverErrors)].slice(0, 20)) console.log(`  5xx: ${e}`);
    expect(hit.size).toBe(routes.length);
    expect(serverErrors).toEqual([]);
    expect(badShapes.slice(0, 10)).toEqual([]);
  }, 120_000);
});

async function send(r: Req): Promise<{ status: number; text: string; type: string }> {
  const res = await t.app.request(r.url, { method: r.method, headers: r.headers, body: r.body });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

function matches(body: any): boolean {
  const e = body?.error;
  if (typeof e !== 'object' || e === null || !/^[A-Z][A-Z_]*$/.test(e.code) || typeof e.message !== 'string' || !e.message) return false;
  return e.details === undefined || (Array.isArray(e.details) && e.details.every((d: any) => typeof d?.field === 'string' && typeof d?.message === 'string'));
}
