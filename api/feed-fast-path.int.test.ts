// The feed read's fast path (routes/feed.ts plainFeedRead, app.ts) against the full route: it takes
// exactly the plain reads, and every request, plain or not, gets the same answer and the same metric
// with it as without it.
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { AppEnv } from './context.js';
import { plainFeedRead } from './routes/feed.js';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { type Person, band, cacheLists } from '../test/support/feed-pages.js';

let t: TestApi;
let people: Person[];
let revoked: Person;
beforeAll(async () => {
  t = await createTestApi();
  people = await band(t, 77, 6);
  await cacheLists(t, people.slice(0, 4)); // two of them without a list: served live
  revoked = people[5]!;
  await t.deps.tokenVersions.bump(t.db, revoked.id);
});
afterAll(() => t.close());

interface Ask {
  /** Who the path names and whose token it is (undefined: nobody's). */
  pathUser?: Person;
  tokenUser?: Person;
  path: string;
  query: string;
  headers: Record<string, string>;
}

const ask = (people: Person[]) =>
  fc.record({
    who: fc.integer({ min: 0, max: 5 }),
    path: fc.constantFrom('own', 'other', '0', '01', 'abc', '2147483648', '99999999999', '%3', '-1', '1e3', 'ownEncoded'),
    query: fc.constantFrom('', '?limit=5', '?limit=1', '?limit=100', '?limit=0', '?limit=101', '?limit=007', '?limit=abc', '?limit=', '?', '?x=1', '?limit=5&x=1', '?limit=5&limit=6', '?LIMIT=5', '?limit=5%00', '?limit=%35'),
    token: fc.constantFrom('own', 'other', 'none', 'garbage', 'operator', 'lowercase-bearer'),
    body: fc.constantFrom<'none' | 'empty' | 'some' | 'chunked'>('none', 'none', 'none', 'empty', 'some', 'chunked'),
  }).map(({ who, path, query, token, body }): Ask => {
    const me = people[who]!;
    const other = people[(who + 1) % people.length]!;
    const id = path === 'own' ? String(me.id) : path === 'other' ? String(other.id) : path === 'ownEncoded' ? encodeURIComponent(String(me.id)).replace(/^(\d)/, (d) => `%3${d}`) : path;
    const headers: Record<string, string> = {};
    const bearer = { own: me.token, other: other.token, garbage: 'not.a.token', operator: t.config.ADMIN_TOKEN, 'lowercase-bearer': me.token }[token as string];
    if (bearer) headers.authorization = `${token === 'lowercase-bearer' ? 'bearer' : 'Bearer'} ${bearer}`;
    if (body === 'empty') headers['content-length'] = '0';
    if (body === 'some') headers['content-length'] = '2'; // declared only: a GET made in process carries no body
    if (body === 'chunked') headers['transfer-encoding'] = 'chunked';
    const pathUser = path === 'own' || path === 'ownEncoded' ? me : path === 'other' ? other : undefined;
    const tokenUser = token === 'own' || token === 'lowercase-bearer' ? me : token === 'other' ? other : undefined;
    return { pathUser, tokenUser, path: `/potential_matches/${id}`, query, headers };
  });

/** The plain reads, by the contract's rules for the route: what the fast path must take, and only those. */
function isPlain(a: Ask): boolean {
  const limit = /^\?limit=(\d{1,3})$/.exec(a.query);
  return (
    a.pathUser !== undefined &&
    a.pathUser === a.tokenUser &&
    a.pathUser !== revoked &&
    (a.query === '' || (!!limit && Number(limit[1]) >= 1 && Number(limit[1]) <= 100)) &&
    a.headers['content-length'] !== '2' &&
    a.headers['transfer-encoding'] === undefined
  );
}

/** The request-duration histogram's counts, by label set. */
const durationCounts = async () => {
  const metric = await t.deps.metrics.httpDuration.get();
  return new Map(metric.values.filter((x) => x.metricName === 'http_request_duration_seconds_count').map((x) => [JSON.stringify(x.labels), x.value]));
};
/** The label sets whose counts grew from `a` to `b`, and by how much. */
const counted = (a: Map<string, number>, b: Map<string, number>) => [...b].filter(([k, v]) => v !== (a.get(k) ?? 0)).map(([k, v]) => [k, v - (a.get(k) ?? 0)]);

describe('the feed fast path', () => {
  it('takes exactly the plain reads: the own user id, at most a limit of 1 to 100, a current own token, no body', async () => {
    const probe = new Hono<AppEnv>();
    probe.get('/potential_matches/:user_id', async (c) => {
      c.set('deps', t.deps);
      return c.json((await plainFeedRead(c)) ?? null);
    });
    await fc.assert(
      fc.asyncProperty(ask(people), async (a) => {
        const res = await probe.request(a.path + a.query, { headers: a.headers, method: 'GET' });
        const got = res.status === 200 ? await res.json() : null;
        if (isPlain(a)) expect(got).toEqual({ userId: a.pathUser!.id, limit: a.query ? Number(/\d+/.exec(a.query)![0]) : 20 });
        else expect(got).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('answers every request as the full route does, and counts it in the same metric', async () => {
    const full = createApp(t.deps, { feedFastPath: false });
    const send = async (app: typeof t.app, a: Ask) => {
      const res = await app.request(a.path + a.query, { headers: a.headers, method: 'GET' });
      const text = await res.text();
      // generated_at is the time of a live page's computation; everything else must be the same.
      return { status: res.status, body: text.replace(/"generated_at":"[^"]*"/, ''), type: res.headers.get('content-type'), auth: res.headers.get('www-authenticate') };
    };
    await fc.assert(
      fc.asyncProperty(ask(people), async (a) => {
        const m0 = await durationCounts();
        const before = await send(full, a);
        const m1 = await durationCounts();
        const fast = await send(t.app, a);
        const m2 = await durationCounts();
        expect(fast).toEqual(before);
        expect(counted(m1, m2)).toEqual(counted(m0, m1));
        expect(counted(m0, m1)).toHaveLength(1);
        expect(await send(full, a)).toEqual(before); // the state did not move under the comparison
      }),
      { numRuns: 200 },
    );
  });
});
