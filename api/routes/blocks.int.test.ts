import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from '../../shared/blocks.js';
import { rows } from '../../shared/db.js';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { band, bothPages, cacheLists, matchIds, pageOf } from '../../test/support/feed-pages.js';

let t: TestApi;
const logged: Record<string, unknown>[] = [];
beforeAll(async () => {
  t = await createTestApi();
  // The app reads deps per request: capture what it logs.
  t.deps.log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
});
afterAll(() => t.close());

const admin = () => t.config.ADMIN_TOKEN;
const count = async (sql: string, params: unknown[]) => Number((await t.db.query(sql, params)).rows[0].n);

describe('POST /block', () => {
  it('blocks, repeatably; refuses yourself, unknown users, other tokens and no token', async () => {
    const [a, b] = await band(t, 101, 2);
    const ok = await t.call('POST', `/block/${a!.id}/${b!.id}`, { token: a!.token });
    expect(ok).toMatchObject({ status: 200, body: { blocked_user_id: b!.id } });
    expect((await t.call('POST', `/block/${a!.id}/${b!.id}`, { token: a!.token })).status).toBe(200);
    expect(await count('select count(*) as n from blocks where blocker_id = $1 and blocked_id = $2', [a!.id, b!.id])).toBe(1);

    const self = await t.call('POST', `/block/${a!.id}/${a!.id}`, { token: a!.token });
    expect(self).toMatchObject({ status: 400, body: { error: { code: 'SELF_ACTION' } } });
    expect((await t.call('POST', `/block/${a!.id}/999999`, { token: a!.token })).body.error.code).toBe('NOT_FOUND');
    expect((await t.call('POST', `/block/${a!.id}/${b!.id}`, { token: b!.token })).status).toBe(403);
    expect((await t.call('POST', `/block/${a!.id}/${b!.id}`)).status).toBe(401);
    expect((await t.call('POST', `/block/${a!.id}/${b!.id}`, { token: admin() })).status).toBe(401);
    expect((await t.call('POST', `/block/${a!.id}/abc`, { token: a!.token })).status).toBe(400);
  });

  it('hides the two from each other on cached and live pages, whatever the other does next', async () => {
    const people = await band(t, 102, 5);
    const [a, b] = people as [typeof people[0], typeof people[0]];
    await cacheLists(t, people);
    expect((await pageOf(t, a, 4)).ids).toContain(b.id);
    expect((await t.call('POST', `/block/${a.id}/${b.id}`, { token: a.token })).status).toBe(200);
    for (const [me, other] of [[a, b], [b, a]] as const) {
      const { cached, live } = await bothPages(t, me, 3);
      expect(cached).toHaveLength(3);
      expect(cached).not.toContain(other.id);
      expect(live).toHaveLength(3);
      expect(live).not.toContain(other.id);
    }
    // The blocked one liking back, or a fresh list, does not bring them back.
    await t.call('POST', `/like/${b.id}/${a.id}`, { token: b.token });
    await cacheLists(t, people);
    expect((await bothPages(t, a, 3)).cached).not.toContain(b.id);
    expect((await bothPages(t, b, 3)).cached).not.toContain(a.id);
  });

  it('dissolves a match: neither sees the other in their matches', async () => {
    const [a, b] = await band(t, 103, 2);
    await t.call('POST', `/like/${a!.id}/${b!.id}`, { token: a!.token });
    expect((await t.call('POST', `/like/${b!.id}/${a!.id}`, { token: b!.token })).body.matched).toBe(true);
    expect(await matchIds(t, a!)).toEqual([b!.id]);
    await t.call('POST', `/block/${b!.id}/${a!.id}`, { token: b!.token });
    expect(await matchIds(t, a!)).toEqual([]);
    expect(await matchIds(t, b!)).toEqual([]);
  });

  it('keeps the two from matching afterwards, whoever likes whom', async () => {
    const [a, b] = await band(t, 110, 2);
    await t.call('POST', `/block/${a!.id}/${b!.id}`, { token: a!.token });
    await t.call('POST', `/like/${b!.id}/${a!.id}`, { token: b!.token });
    const back = await t.call('POST', `/like/${a!.id}/${b!.id}`, { token: a!.token });
    expect(back.body.matched).toBe(false);
    expect(await matchIds(t, a!)).toEqual([]);
    expect(await matchIds(t, b!)).toEqual([]);
  });
});

describe('POST /report', () => {
  it('stores the report with its reason and text, and blocks', async () => {
    const people = await band(t, 104, 4);
    const [a, b] = people as [typeof people[0], typeof people[0]];
    await cacheLists(t, people);
    const text = 'Asked for money "for a ticket" \\ twice.\nThen again.';
    const res = await t.call('POST', `/report/${a.id}/${b.id}`, { token: a.token, body: { reason: 'spam', text } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ report_id: expect.any(Number) });
    const { rows } = await t.db.query('select reporter_id, reported_id, reason, text, resolved_at from reports where id = $1', [res.body.report_id]);
    expect(rows).toEqual([{ reporter_id: a.id, reported_id: b.id, reason: 'spam', text, resolved_at: null }]);
    expect(await count('select count(*) as n from blocks where blocker_id = $1 and blocked_id = $2', [a.id, b.id])).toBe(1);
    expect((await bothPages(t, a, 2)).cached).not.toContain(b.id);
    expect((await bothPages(t, b, 2)).live).not.toContain(a.id);
    // Without text, too.
    expect((await t.call('POST', `/report/${a.id}/${b.id}`, { token: a.token, body: { reason: 'other' } })).status).toBe(201);
  });

  it('validates the reason and text, and refuses yourself, unknown users and others\' tokens', async () => {
    const [a, b] = await band(t, 105, 2);
    const bad = [{}, { reason: 'rude' }, { reason: 'spam', text: 'x'.repeat(1001) }, { reason: 'spam', text: 'a\u0000b' }, { reason: 'spam', text: 5 }, { reason: 'spam', extra: 1 }];
    for (const body of bad) {
      const res = await t.call('POST', `/report/${a!.id}/${b!.id}`, { token: a!.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await t.call('POST', `/report/${a!.id}/${b!.id}`, { token: a!.token, raw: '{"reason":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    for (const reason of ['spam', 'harassment', 'fake_profile', 'underage', 'inappropriate', 'other']) {
      expect((await t.call('POST', `/report/${a!.id}/${b!.id}`, { token: a!.token, body: { reason, text: 'x'.repeat(1000) } })).status).toBe(201);
    }
    expect((await t.call('POST', `/report/${a!.id}/${a!.id}`, { token: a!.token, body: { reason: 'spam' } })).body.error.code).toBe('SELF_ACTION');
    expect((await t.call('POST', `/report/${a!.id}/888888`, { token: a!.token, body: { reason: 'spam' } })).status).toBe(404);
    expect((await t.call('POST', `/report/${a!.id}/${b!.id}`, { token: b!.token, body: { reason: 'spam' } })).status).toBe(403);
    expect((await t.call('POST', `/report/${a!.id}/${b!.id}`, { body: { reason: 'spam' } })).status).toBe(401);
    // Nothing half-written by the refused ones: six reports, one block.
    expect(await count('select count(*) as n from reports where reported_id = $1', [b!.id])).toBe(6);
    expect(await count('select count(*) as n from blocks where blocked_id = $1', [b!.id])).toBe(1);
  });
});

describe('suspension by reports, and operators', () => {
  it(`suspends a user reported by ${3} different people: they leave every feed until an operator clears them`, async () => {
    expect(t.config.REPORT_SUSPEND_THRESHOLD).toBe(3);
    const people = await band(t, 106, 7);
    const [x, r1, r2, r3, o1, o2] = people as [typeof people[0], typeof people[0], typeof people[0], typeof people[0], typeof people[0], typeof people[0]];
    await cacheLists(t, people);
    const suspended = async () => (await t.db.query('select suspended_at from users where id = $1', [x.id])).rows[0].suspended_at !== null;
    const report = (r: typeof x) => t.call('POST', `/report/${r.id}/${x.id}`, { token: r.token, body: { reason: 'harassment' } });
    expect((await report(r1)).status).toBe(201);
    expect((await report(r2)).status).toBe(201);
    expect((await report(r1)).status).toBe(201); // the same person again does not count twice
    expect(await suspended()).toBe(false);
    expect((await bothPages(t, o1, 6)).cached).toContain(x.id);
    expect((await report(r3)).status).toBe(201);
    expect(await suspended()).toBe(true);
    expect(logged.filter((l) => l.event === 'user_suspended')).toEqual([expect.objectContaining({ user_id: x.id, by: 'reports' })]);
    for (const o of [o1, o2]) {
      // Six others in the band, one of them suspended.
      const { cached, live } = await bothPages(t, o, 5);
      expect(cached).not.toContain(x.id);
      expect(live).not.toContain(x.id);
      expect(live).toHaveLength(5);
    }

    const cleared = await t.call('POST', `/admin/users/${x.id}/clear`, { token: admin() });
    expect(cleared).toMatchObject({ status: 200, body: { user_id: x.id, suspended: false, cleared_reports: 4 } });
    expect(await suspended()).toBe(false);
    expect((await bothPages(t, o1, 6)).cached).toContain(x.id);
    expect((await bothPages(t, o2, 6)).live).toContain(x.id);
    // The cleared reports no longer count: one new report does not suspend again.
    expect((await t.call('POST', `/report/${o1.id}/${x.id}`, { token: o1.token, body: { reason: 'spam' } })).status).toBe(201);
    expect(await suspended()).toBe(false);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'operator action', action: 'clear_user', operator: 'bearer', user_id: x.id, status: 200 }));
  });

  it('counts concurrent reports one at a time: the threshold is met exactly once', async () => {
    const people = await band(t, 107, 6);
    const [x, ...reporters] = people as [typeof people[0], ...typeof people];
    const before = logged.filter((l) => l.event === 'user_suspended').length;
    const results = await Promise.all(reporters.map((r) => t.call('POST', `/report/${r.id}/${x.id}`, { token: r.token, body: { reason: 'fake_profile' } })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(logged.filter((l) => l.event === 'user_suspended').length - before).toBe(1);
  });

  it('makes a report wait for one about the same person still being written, so the count sees both', async () => {
    const [x, r1, r2] = await band(t, 109, 3);
    // r1's report, by hand, up to just before its commit (threshold 2: its own count sees one).
    const held = await t.db.connect();
    await held.query('begin');
    await rows(held, 'lock_pair', [r1!.id, x!.id]);
    await rows(held, 'lock_reported', [x!.id]);
    await rows(held, 'insert_report', [r1!.id, x!.id, 'spam', null]);
    expect(await rows(held, 'suspend_if_reported', [x!.id, 2])).toEqual([]);
    const second = report(t.db, r2!.id, x!.id, { reason: 'spam' }, 2);
    await new Promise((r) => setTimeout(r, 300));
    await held.query('commit');
    held.release();
    expect((await second).suspended).toBe(true);
  });

  it('lists reports to operators only, a page at a time, open or resolved; resolves one', async () => {
    const [a, b, c] = await band(t, 108, 3);
    for (const r of [a, c]) await t.call('POST', `/report/${r!.id}/${b!.id}`, { token: r!.token, body: { reason: 'inappropriate', text: 'secret words' } });
    expect((await t.call('GET', '/admin/reports')).status).toBe(401);
    expect((await t.call('GET', '/admin/reports', { token: a!.token })).status).toBe(401);
    for (const q of ['limit=0', 'limit=101', 'status=closed', 'after=-1', 'limit=x']) {
      expect((await t.call('GET', `/admin/reports?${q}`, { token: admin() })).status, q).toBe(400);
    }

    const all = (await t.call('GET', '/admin/reports?status=all&limit=100', { token: admin() })).body.reports;
    expect(all.length).toBeGreaterThan(4);
    const seen: number[] = [];
    for (let after = 0, pages = 0; ; pages++) {
      const res = await t.call('GET', `/admin/reports?status=all&limit=2&after=${after}`, { token: admin() });
      expect(res.status).toBe(200);
      expect(res.body.reports.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.reports.map((r: { id: number }) => r.id));
      if (res.body.next_after === null) break;
      after = res.body.next_after;
      expect(pages).toBeLessThan(100);
    }
    expect(seen).toEqual(all.map((r: { id: number }) => r.id));
    expect(seen).toEqual([...seen].sort((p, q) => p - q));

    const mine = all.filter((r: { reported_id: number }) => r.reported_id === b!.id);
    expect(mine[0]).toMatchObject({ reporter_id: a!.id, reason: 'inappropriate', text: 'secret words', resolved_at: null, resolution: null, reported_erased: false, reported_suspended: false });
    const id = mine[0].id;
    const done = await t.call('POST', `/admin/reports/${id}/resolve`, { token: admin() });
    expect(done).toMatchObject({ status: 200, body: { report_id: id, resolution: 'resolved', resolved_at: expect.any(String) } });
    const again = await t.call('POST', `/admin/reports/${id}/resolve`, { token: admin() });
    expect(again.body).toEqual(done.body);
    expect((await t.call('POST', '/admin/reports/987654/resolve', { token: admin() })).status).toBe(404);
    expect((await t.call('POST', `/admin/reports/${id}/resolve`, { token: a!.token })).status).toBe(401);
    expect((await t.call('POST', `/admin/users/${b!.id}/clear`, { token: a!.token })).status).toBe(401);
    expect((await t.call('POST', '/admin/users/987654/clear', { token: admin() })).status).toBe(404);

    const open = (await t.call('GET', '/admin/reports?status=open&limit=100', { token: admin() })).body.reports.map((r: { id: number }) => r.id);
    const resolved = (await t.call('GET', '/admin/reports?status=resolved&limit=100', { token: admin() })).body.reports.map((r: { id: number }) => r.id);
    expect(resolved).toContain(id);
    expect(open).not.toContain(id);
    expect([...open, ...resolved].sort((p, q) => p - q)).toEqual(seen);

    // Operator actions are logged by what and on whom, never with a report's text.
    const actions = logged.filter((l) => l.action);
    expect(actions).toContainEqual(expect.objectContaining({ action: 'resolve_report', operator: 'bearer', report_id: id, status: 200 }));
    expect(actions).toContainEqual(expect.objectContaining({ action: 'list_reports', operator: 'bearer' }));
    // A write from another site's page (a browser resending Basic credentials) is refused.
    const basic = `Basic ${Buffer.from(`ops:${admin()}`).toString('base64')}`;
    const forged = await t.call('POST', `/admin/users/${b!.id}/clear`, { headers: { authorization: basic, origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect(JSON.stringify(logged)).not.toContain('secret words');
  });
});
