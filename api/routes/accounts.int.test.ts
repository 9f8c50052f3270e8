import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, rows } from '../../shared/db.js';
import { LiveIndex } from '../../shared/live-index.js';
import { type Cell, planPartitions } from '../../shared/rebuild-plan.js';
import { readPartition } from '../../worker/partition-data.js';
import { rankAndWrite } from '../../worker/processors/rebuild-partition.js';
import { keys } from '../../shared/feed-store.js';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { band, bothPages, cacheLists, matchIds, pageOf } from '../../test/support/feed-pages.js';
import { createApp } from '../app.js';

let t: TestApi;
const logged: Record<string, unknown>[] = [];
beforeAll(async () => {
  t = await createTestApi();
  t.deps.log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
});
afterAll(() => t.close());

const admin = () => t.config.ADMIN_TOKEN;
const count = async (sql: string, params: unknown[]) => Number((await t.db.query(sql, params)).rows[0].n);

/** Every row in Postgres that names the user, by table (reports apart: they are kept). */
async function rowsAbout(id: number) {
  return {
    users: await count('select count(*) as n from users where id = $1', [id]),
    swipes: await count('select count(*) as n from swipes where swiper_id = $1 or swipee_id = $1', [id]),
    matches: await count('select count(*) as n from matches where user_low = $1 or user_high = $1', [id]),
    blocks: await count('select count(*) as n from blocks where blocker_id = $1 or blocked_id = $1', [id]),
    reports_made: await count('select count(*) as n from reports where reporter_id = $1', [id]),
  };
}

describe('DELETE /users/:user_id', () => {
  it('erases every row about the user; reports they made lose their identity, reports about them stay', async () => {
    const [z, a, b, c] = await band(t, 111, 4);
    await t.call('POST', `/like/${z!.id}/${a!.id}`, { token: z!.token });
    await t.call('POST', `/like/${a!.id}/${z!.id}`, { token: a!.token }); // a match
    await t.call('POST', `/unlike/${b!.id}/${z!.id}`, { token: b!.token });
    await t.call('POST', `/block/${z!.id}/${c!.id}`, { token: z!.token });
    const made = (await t.call('POST', `/report/${z!.id}/${b!.id}`, { token: z!.token, body: { reason: 'spam', text: 'by z' } })).body.report_id;
    const about = (await t.call('POST', `/report/${c!.id}/${z!.id}`, { token: c!.token, body: { reason: 'harassment', text: 'about z' } })).body.report_id;
    // Swipes z→a, a→z, b→z; blocks z→c, and z→b and c→z by the reports.
    expect(await rowsAbout(z!.id)).toEqual({ users: 1, swipes: 3, matches: 1, blocks: 3, reports_made: 1 });

    const res = await t.call('DELETE', `/users/${z!.id}`, { token: z!.token });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(await rowsAbout(z!.id)).toEqual({ users: 0, swipes: 0, matches: 0, blocks: 0, reports_made: 0 });
    const reports = (await t.db.query('select id, reporter_id, reported_id, text from reports where id = any($1) order by id', [[made, about]])).rows;
    expect(reports).toEqual([
      { id: String(made), reporter_id: null, reported_id: b!.id, text: 'by z' },
      { id: String(about), reporter_id: c!.id, reported_id: z!.id, text: 'about z' },
    ]);
    expect(await count('select count(*) as n from erased_users where id = $1', [z!.id])).toBe(1);
    // The others keep their own rows.
    expect(await count('select count(*) as n from users where id = any($1)', [[a!.id, b!.id, c!.id]])).toBe(3);
    // Operators see the report about z, flagged as about an erased account.
    const list = (await t.call('GET', '/admin/reports?status=all&limit=100', { token: admin() })).body.reports;
    expect(list.find((r: { id: number }) => r.id === about)).toMatchObject({ reported_id: z!.id, reported_erased: true, text: 'about z' });
    expect(list.find((r: { id: number }) => r.id === made)).toMatchObject({ reporter_id: null });
    // Redis: the card is a tombstone, the list is gone.
    const k = keys(t.config.REDIS_PREFIX);
    expect(await t.deps.redis.get(k.feed(z!.id))).toBeNull();
    expect(await t.deps.redis.get(k.card(z!.id))).toMatch(/^9{12}null$/);
  });

  it('refuses the deleted user\'s token afterwards (401); an operator\'s repeat is 404', async () => {
    const [z, other] = await band(t, 112, 2);
    expect((await t.call('DELETE', `/users/${z!.id}`, { token: other!.token })).status).toBe(403);
    expect((await t.call('DELETE', `/users/${z!.id}`)).status).toBe(401);
    expect((await t.call('DELETE', `/users/${z!.id}`, { token: 'not-a-token' })).status).toBe(401);
    expect((await t.call('DELETE', `/users/${z!.id}`, { token: z!.token })).status).toBe(204);
    const after = [
      await t.call('DELETE', `/users/${z!.id}`, { token: z!.token }),
      await t.call('GET', `/users/${z!.id}/export`, { token: z!.token }),
      await t.call('PUT', `/users/${z!.id}/visibility`, { token: z!.token, body: { visible: true } }),
      await t.call('POST', `/block/${z!.id}/${other!.id}`, { token: z!.token }),
      await t.call('POST', `/report/${z!.id}/${other!.id}`, { token: z!.token, body: { reason: 'spam' } }),
      // The token-version check refuses it everywhere else.
      await t.call('GET', `/users/${z!.id}`, { token: z!.token }),
      await t.call('GET', `/potential_matches/${z!.id}`, { token: z!.token }),
      await t.call('GET', `/matches/${z!.id}`, { token: z!.token }),
      await t.call('POST', `/like/${z!.id}/${other!.id}`, { token: z!.token }),
      await t.call('PUT', `/update_preferences/${z!.id}`, { token: z!.token, body: { preferred_age_max: 50 } }),
      await t.call('POST', '/token/refresh', { token: z!.token }),
    ];
    for (const r of after) expect(r).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(await count('select count(*) as n from blocks where blocked_id = $1', [other!.id])).toBe(0);

    const [y] = await band(t, 112, 1);
    expect((await t.call('DELETE', `/users/${y!.id}`, { token: admin() })).status).toBe(204);
    const repeat = await t.call('DELETE', `/users/${y!.id}`, { token: admin() });
    expect(repeat).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect((await t.call('DELETE', '/users/abc', { token: admin() })).status).toBe(400);
  });

  it('logs each deletion with the user id and who asked, nothing else about the person', async () => {
    const [z] = await band(t, 113, 1);
    await t.call('PUT', `/update_preferences/${z!.id}`, { token: z!.token, body: { preferred_age_max: 114 } });
    const [y] = await band(t, 113, 1);
    await t.call('DELETE', `/users/${z!.id}`, { token: z!.token });
    await t.call('DELETE', `/users/${y!.id}`, { token: admin() });
    const lines = logged.filter((l) => l.event === 'account_deleted');
    expect(lines).toContainEqual(expect.objectContaining({ user_id: z!.id, by: 'self' }));
    expect(lines).toContainEqual(expect.objectContaining({ user_id: y!.id, by: 'operator' }));
    for (const l of lines) {
      const { level, time, pid, hostname, msg, event, user_id, by, ...rest } = l;
      expect(rest).toEqual({});
    }
  });

  it('takes a user who is in many cached lists off every page and out of every match list at once', async () => {
    const people = await band(t, 114, 12);
    const [z, ...others] = people as [typeof people[0], ...typeof people];
    for (const o of others.slice(0, 3)) {
      await t.call('POST', `/like/${z.id}/${o.id}`, { token: z.token });
      await t.call('POST', `/like/${o.id}/${z.id}`, { token: o.token });
    }
    await cacheLists(t, people);
    const unmatched = others.slice(3);
    for (const o of unmatched) expect((await pageOf(t, o, 11)).ids).toContain(z.id);
    for (const o of others.slice(0, 3)) expect(await matchIds(t, o)).toEqual([z.id]);

    expect((await t.call('DELETE', `/users/${z.id}`, { token: z.token })).status).toBe(204);
    for (const o of unmatched) {
      // Ten others remain for everyone unmatched; the cached list still holds z's entry.
      const { cached, live } = await bothPages(t, o, 10);
      expect(cached).toHaveLength(10);
      expect(cached).not.toContain(z.id);
      expect(live).toHaveLength(10);
      expect(live).not.toContain(z.id);
    }
    for (const o of others.slice(0, 3)) expect(await matchIds(t, o)).toEqual([]);
    // A list recomputed now, from Postgres, does not bring z back either.
    await cacheLists(t, others);
    for (const o of unmatched) expect((await pageOf(t, o, 10)).ids).not.toContain(z.id);
  });
});

describe('while a rebuild runs, and in every process', () => {
  it('a partition that read a deleted, paused or blocked user before the change never writes them back', async () => {
    const people = await band(t, 98, 6);
    const [z, p, a, b, ...rest] = people as [typeof people[0], typeof people[0], typeof people[0], typeof people[0], ...typeof people];
    await cacheLists(t, people);
    // A rebuild partition reads everyone (one partition) before the changes...
    const plan = planPartitions(await rows<Cell>(t.db, 'population_cells'), 1);
    const before = await readPartition(t.db, plan[0]!);
    expect(Array.from(before.memberIds)).toEqual(expect.arrayContaining([z.id, p.id]));
    expect((await t.call('DELETE', `/users/${z.id}`, { token: z.token })).status).toBe(204);
    expect((await t.call('PUT', `/users/${p.id}/visibility`, { token: p.token, body: { visible: false } })).status).toBe(200);
    expect((await t.call('POST', `/block/${a.id}/${b.id}`, { token: a.token })).status).toBe(200);
    // ...and writes its lists and cards after them.
    await rankAndWrite({ ...t.deps, prefix: t.config.REDIS_PREFIX, cacheSize: t.config.FEED_CACHE_SIZE }, before);
    expect(await t.deps.redis.get(keys(t.config.REDIS_PREFIX).card(z.id))).toMatch(/^9{12}null$/);
    for (const o of [a, b, ...rest]) {
      const { cached, live } = await bothPages(t, o, 2);
      for (const ids of [cached, live]) {
        expect(ids).not.toContain(z.id);
        expect(ids).not.toContain(p.id);
      }
      if (o === a) expect([...cached, ...live]).not.toContain(b.id);
      if (o === b) expect([...cached, ...live]).not.toContain(a.id);
    }
  });

  it('another process\'s in-process index, loaded before the deletion, leaves the user out at once', async () => {
    const people = await band(t, 99, 4);
    const [z, ...others] = people as [typeof people[0], ...typeof people];
    // Polls far apart: only what a request reads can tell it about the deletion.
    const elsewhere = new LiveIndex(t.db, { pollMs: 600_000 });
    try {
      expect((await elsewhere.topK(others[0]!.id, 100))!.ranked.map((r) => r.id)).toContain(z.id);
      expect((await t.call('DELETE', `/users/${z.id}`, { token: z.token })).status).toBe(204);
      for (const o of others) {
        const ids = (await elsewhere.topK(o.id, 100))!.ranked.map((r) => r.id);
        expect(ids).toHaveLength(2);
        expect(ids).not.toContain(z.id);
      }
    } finally {
      elsewhere.stop();
    }
  });
});

describe('PUT /users/:user_id/visibility', () => {
  it('pauses: shown to nobody (cached pages included), keeps their own feed and matches; un-pausing shows them again at once', async () => {
    const people = await band(t, 115, 6);
    const [p, m, ...others] = people as [typeof people[0], typeof people[0], ...typeof people];
    await t.call('POST', `/like/${p.id}/${m.id}`, { token: p.token });
    await t.call('POST', `/like/${m.id}/${p.id}`, { token: m.token });
    await cacheLists(t, people);
    for (const o of others) expect((await pageOf(t, o, 5)).ids).toContain(p.id);

    const res = await t.call('PUT', `/users/${p.id}/visibility`, { token: p.token, body: { visible: false } });
    expect(res).toMatchObject({ status: 200, body: { visible: false } });
    for (const o of others) {
      const { cached, live } = await bothPages(t, o, 4);
      expect(cached).not.toContain(p.id);
      expect(live).toHaveLength(4);
      expect(live).not.toContain(p.id);
    }
    // Their own feed and matches stay.
    expect((await pageOf(t, p, 4)).ids).toHaveLength(4);
    expect(await matchIds(t, p)).toEqual([m.id]);
    expect(await matchIds(t, m)).toEqual([p.id]);

    expect((await t.call('PUT', `/users/${p.id}/visibility`, { token: p.token, body: { visible: true } })).body).toEqual({ visible: true });
    for (const o of others) {
      const { cached, live } = await bothPages(t, o, 5);
      expect(cached).toContain(p.id);
      expect(live).toContain(p.id);
    }
  });

  it('validates the body and the token', async () => {
    const [p, q] = await band(t, 116, 2);
    for (const body of [{}, { visible: 'no' }, { visible: null }, { visible: true, extra: 1 }]) {
      const res = await t.call('PUT', `/users/${p!.id}/visibility`, { token: p!.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call('PUT', `/users/${p!.id}/visibility`, { token: q!.token, body: { visible: false } })).status).toBe(403);
    expect((await t.call('PUT', `/users/${p!.id}/visibility`, { body: { visible: false } })).status).toBe(401);
    expect((await t.call('PUT', `/users/${p!.id}/visibility`, { token: admin(), body: { visible: false } })).status).toBe(401);
    expect((await t.db.query('select visible from users where id = $1', [p!.id])).rows[0].visible).toBe(true);
  });
});

describe('GET /users/:user_id/export', () => {
  it('holds every record about the user, and only theirs', async () => {
    const bio = 'Quotes " and \\ backslashes,\ttabs\nnewlines, é and 🙂';
    const [me, a, b, c] = await band(t, 117, 4);
    await t.call('PUT', `/update_preferences/${me!.id}`, { token: me!.token, body: { interested_in: ['woman', 'nonbinary'] } });
    await t.db.query('update users set bio = $2 where id = $1', [me!.id, bio]);
    await t.call('POST', `/like/${me!.id}/${a!.id}`, { token: me!.token });
    await t.call('POST', `/like/${a!.id}/${me!.id}`, { token: a!.token });
    await t.call('POST', `/unlike/${me!.id}/${b!.id}`, { token: me!.token });
    await t.call('POST', `/like/${c!.id}/${me!.id}`, { token: c!.token }); // not theirs: c's swipe
    await t.call('POST', `/block/${me!.id}/${c!.id}`, { token: me!.token });
    await t.call('POST', `/report/${me!.id}/${b!.id}`, { token: me!.token, body: { reason: 'other', text: bio } });
    await t.call('POST', `/report/${a!.id}/${b!.id}`, { token: a!.token, body: { reason: 'spam' } }); // not theirs

    const res = await t.call('GET', `/users/${me!.id}/export`, { token: me!.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.body;
    expect(Object.keys(doc).sort()).toEqual(['blocks', 'exported_at', 'matches', 'profile', 'reports', 'swipes', 'user_id']);
    expect(doc.user_id).toBe(me!.id);
    expect(doc.profile).toMatchObject({ id: me!.id, name: 'Alex', age: 117, height: 170, bio, interested_in: ['woman', 'nonbinary'], visible: true, suspended_at: null, preferred_age_min: 117 });
    expect(doc.profile).toHaveProperty('created_at');
    expect(doc.profile).toHaveProperty('last_active_at');
    expect(doc.swipes.map((s: any) => [s.swipee_id, s.kind])).toEqual([[a!.id, 'like'], [b!.id, 'pass']].sort((x, y) => (x[0] as number) - (y[0] as number)));
    expect(doc.matches).toEqual([{ user_id: a!.id, matched_at: expect.any(String) }]);
    expect(doc.blocks.map((x: any) => x.blocked_user_id)).toEqual([c!.id, b!.id].sort((x, y) => x - y));
    expect(doc.reports).toEqual([{ report_id: expect.any(Number), reported_user_id: b!.id, reason: 'other', text: bio, created_at: expect.any(String) }]);
    // No other user's data: their names and preferences are not in it.
    expect(JSON.stringify(doc)).not.toMatch(/"preferred_age_min":\s*117[^]*"preferred_age_min"/);
  });

  it('refuses other tokens and no token', async () => {
    const [me, other] = await band(t, 118, 2);
    expect((await t.call('GET', `/users/${me!.id}/export`, { token: other!.token })).status).toBe(403);
    expect((await t.call('GET', `/users/${me!.id}/export`)).status).toBe(401);
    expect((await t.call('GET', `/users/${me!.id}/export`, { token: admin() })).status).toBe(401);
  });

  it('streams a user with 20,000 swipes: the document arrives in many chunks, each row right', async () => {
    const [me] = await band(t, 119, 1);
    const n = 20_000;
    const { rows: made } = await t.db.query(
      `insert into users (name, age, height, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
       select 'Bulk ' || i, 40, 170, 18, 120, 100, 250 from generate_series(1, $1) i returning id`,
      [n],
    );
    await t.db.query(
      `insert into swipes (swiper_id, swipee_id, kind) select $1, id, case when id % 3 = 0 then 'pass' else 'like' end::swipe_kind from unnest($2::int[]) id`,
      [me!.id, made.map((r) => r.id)],
    );
    // A pool of its own, to see that the export gives its connection back.
    const pool = createPool(t.config.DATABASE_URL, 2);
    const busy = () => pool.totalCount - pool.idleCount;
    const app = createApp({ ...t.deps, db: pool });
    const started = performance.now();
    const res = await app.request(`/users/${me!.id}/export`, { headers: { authorization: `Bearer ${me!.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let firstAt = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!chunks.length) firstAt = performance.now() - started;
      chunks.push(value);
    }
    const total = chunks.reduce((s, ch) => s + ch.length, 0);
    const text = Buffer.concat(chunks).toString('utf8');
    // Streamed: the head comes first on its own, then the rows in chunks of about 64 KiB.
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks[0]!.length).toBeLessThan(total / 10);
    expect(Buffer.from(chunks[0]!).toString('utf8')).toMatch(/^\{"user_id":\d+,"exported_at":"[^"]+","profile":\{/);
    const doc = JSON.parse(text);
    expect(doc.swipes).toHaveLength(n);
    const ids = made.map((r) => r.id as number).sort((x, y) => x - y);
    expect(doc.swipes.map((s: any) => s.swipee_id)).toEqual(ids);
    for (const s of doc.swipes) expect(s.kind).toBe(s.swipee_id % 3 === 0 ? 'pass' : 'like');
    console.info(`export of ${n} swipes: ${(total / 1024).toFixed(0)} KiB in ${chunks.length} chunks, first after ${firstAt.toFixed(0)} ms, all after ${(performance.now() - started).toFixed(0)} ms`);
    // The connection went back to the pool.
    await expect.poll(busy).toBe(0);
    await pool.end();
  });

  it('releases its connection when the client goes away part-way', async () => {
    const [me] = await band(t, 120, 1);
    const { rows: made } = await t.db.query(
      `insert into users (name, age, height, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
       select 'Bulk', 41, 170, 18, 120, 100, 250 from generate_series(1, 20000) returning id`,
    );
    await t.db.query(`insert into swipes (swiper_id, swipee_id, kind) select $1, id, 'like' from unnest($2::int[]) id`, [me!.id, made.map((r) => r.id)]);
    const pool = createPool(t.config.DATABASE_URL, 2);
    const busy = () => pool.totalCount - pool.idleCount;
    const app = createApp({ ...t.deps, db: pool });
    const res = await app.request(`/users/${me!.id}/export`, { headers: { authorization: `Bearer ${me!.token}` } });
    const reader = res.body!.getReader();
    await reader.read();
    expect(busy()).toBe(1);
    await reader.cancel();
    await expect.poll(busy, { timeout: 5000 }).toBe(0);
    // And the pool still works.
    expect((await app.request(`/users/${me!.id}`, { headers: { authorization: `Bearer ${me!.token}` } })).status).toBe(200);
    await pool.end();
  });
});

describe('the OpenAPI document', () => {
  it('describes every account, safety and moderation route', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    const expected: [string, string][] = [
      ['/users/{user_id}', 'delete'], ['/users/{user_id}/export', 'get'], ['/users/{user_id}/visibility', 'put'],
      ['/block/{user_id}/{blocked_user_id}', 'post'], ['/report/{user_id}/{reported_user_id}', 'post'],
      ['/admin/reports', 'get'], ['/admin/reports/{report_id}/resolve', 'post'], ['/admin/users/{user_id}/clear', 'post'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.summary).toBeTruthy();
      expect(op.security?.length, `${method} ${path} security`).toBeGreaterThan(0);
    }
    expect(doc.paths['/users/{user_id}'].delete.security).toEqual([{ bearer: [] }, { operator: [] }]);
    expect(doc.paths['/report/{user_id}/{reported_user_id}'].post.requestBody.content['application/json'].schema).toBeDefined();
  });
});
