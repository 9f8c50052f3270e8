import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../../test/support/api.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

const like = (from: { id: number; token: string }, to: number) => t.call('POST', `/like/${from.id}/${to}`, { token: from.token });
const unlike = (from: { id: number; token: string }, to: number) => t.call('POST', `/unlike/${from.id}/${to}`, { token: from.token });
const matchCount = async (a: number, b: number) =>
  (await t.db.query('select count(*)::int as n from matches where user_low = least($1::int,$2::int) and user_high = greatest($1::int,$2::int)', [a, b])).rows[0].n;

describe('POST /like', () => {
  it('answers 201 the first time, 200 when repeated, and matches on the like back', async () => {
    const a = await t.register();
    const b = await t.register();
    const first = await like(a, b.id);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ liked_user_id: b.id, matched: false });
    const again = await like(a, b.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ liked_user_id: b.id, matched: false });

    const back = await like(b, a.id);
    expect(back.status).toBe(201);
    expect(back.body).toEqual({ liked_user_id: a.id, matched: true, matched_at: expect.any(String) });
    expect(Number.isNaN(Date.parse(back.body.matched_at))).toBe(false);
    const repeat = await like(a, b.id);
    expect(repeat.status).toBe(200);
    expect(repeat.body.matched).toBe(true);
    expect(repeat.body.matched_at).toBe(back.body.matched_at);
    expect(await matchCount(a.id, b.id)).toBe(1);
  });

  it('refuses liking yourself, unknown users, other users\' tokens and no token', async () => {
    const a = await t.register();
    const b = await t.register();
    const self = await like(a, a.id);
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('SELF_SWIPE');
    const ghost = await like(a, 987654);
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.code).toBe('NOT_FOUND');
    expect((await t.call('POST', `/like/${a.id}/${b.id}`, { token: b.token })).status).toBe(403);
    expect((await t.call('POST', `/like/${a.id}/${b.id}`)).status).toBe(401);
    expect((await t.call('POST', `/like/${a.id}/x`, { token: a.token })).status).toBe(400);
    const swipes = await t.db.query('select count(*)::int as n from swipes where swiper_id = $1', [a.id]);
    expect(swipes.rows[0].n).toBe(0);
  });

  it('replaces a pass with a like', async () => {
    const a = await t.register();
    const b = await t.register();
    await unlike(a, b.id);
    expect((await like(a, b.id)).status).toBe(201);
    const row = await t.db.query('select kind from swipes where swiper_id = $1 and swipee_id = $2', [a.id, b.id]);
    expect(row.rows).toEqual([{ kind: 'like' }]);
  });

  it('creates exactly one match when both like each other at the same moment, over many pairs', async () => {
    const pairs = await Promise.all(Array.from({ length: 40 }, async () => [await t.register(), await t.register()] as const));
    const results = await Promise.all(pairs.map(([a, b]) => Promise.all([like(a, b.id), like(b, a.id)])));
    for (const [i, [ra, rb]] of results.entries()) {
      const [a, b] = pairs[i]!;
      expect([ra.status, rb.status]).toEqual([201, 201]);
      // Exactly one of the two likes completes the pair; both end up matched.
      expect([ra.body.matched, rb.body.matched]).toContain(true);
      expect(await matchCount(a.id, b.id)).toBe(1);
    }
    const total = await t.db.query('select count(*)::int as n from matches');
    expect(total.rows[0].n).toBeGreaterThanOrEqual(40);
  });
});

describe('exclusions in Redis', () => {
  it('are written before each of many concurrent swipes answers, whether they share a pipeline or not', async () => {
    const me = await t.register();
    const others = await Promise.all(Array.from({ length: 30 }, () => t.register()));
    const { redis } = t.deps;
    const excl = (uid: number) => `${t.config.REDIS_PREFIX}:x:{${uid}}`;
    // Each answer is checked the moment it arrives: its own entries must be there already.
    await Promise.all(others.map(async (o, i) => {
      const res = i % 3 === 0 ? await unlike(me, o.id) : await like(me, o.id);
      expect(res.status).toBeLessThan(300);
      const [mine, theirs] = await Promise.all([redis.hget(excl(me.id), `o:${o.id}`), redis.hget(excl(o.id), `i:${me.id}`)]);
      expect(mine).toMatch(/^\d{20}$/);
      expect(theirs).toMatch(i % 3 === 0 ? /^\d{20}:p$/ : /^\d{20}:l$/);
    }));
    expect(await redis.hlen(excl(me.id))).toBe(30);
  });
});

describe('POST /unlike', () => {
  it('records a pass, withdraws the like and dissolves the match; repeating changes nothing', async () => {
    const a = await t.register();
    const b = await t.register();
    await like(a, b.id);
    await like(b, a.id);
    const res = await unlike(a, b.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ passed_user_id: b.id, unmatched: true });
    expect(await matchCount(a.id, b.id)).toBe(0);
    const again = await unlike(a, b.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ passed_user_id: b.id, unmatched: false });
    const m = await t.call('GET', `/matches/${b.id}`, { token: b.token });
    expect(m.body.matches).toEqual([]);
  });

  it('refuses yourself and unknown users', async () => {
    const a = await t.register();
    expect((await unlike(a, a.id)).body.error.code).toBe('SELF_SWIPE');
    expect((await unlike(a, 424242)).status).toBe(404);
  });
});

describe('GET /matches', () => {
  it('lists matches newest first, as cards', async () => {
    const me = await t.register({ name: 'Me' });
    const others = [await t.register({ name: 'First', bio: 'x' }), await t.register({ name: 'Second' })];
    for (const o of others) {
      await like(me, o.id);
      await like(o, me.id);
    }
    const res = await t.call('GET', `/matches/${me.id}`, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(me.id);
    expect(res.body.matches.map((m: any) => m.user.name)).toEqual(['Second', 'First']);
    expect(Object.keys(res.body.matches[1].user).sort()).toEqual(['age', 'bio', 'gender', 'height', 'id', 'interests', 'name']);
    expect(res.body.matches[1].user.bio).toBe('x');
    expect((await t.call('GET', `/matches/${me.id}`, { token: others[0]!.token })).status).toBe(403);
  });
});
