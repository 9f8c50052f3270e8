import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshUserList } from '../../shared/feed.js';
import { keys } from '../../shared/feed-store.js';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { expectedPage, loadWorld } from '../../test/support/feed-oracle.js';
import { randomProfile, randomSwipePlan, rng } from '../../test/support/population.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

const page = async (u: { id: number; token: string }, limit?: number) => {
  const res = await t.call('GET', `/potential_matches/${u.id}${limit ? `?limit=${limit}` : ''}`, { token: u.token });
  expect(res.status).toBe(200);
  return res.body;
};
const ids = (body: any) => body.potential_matches.map((c: any) => c.id);

describe('GET /potential_matches', () => {
  it('shows only mutual matches, as cards with a score, best first', async () => {
    const me = await t.register({ name: 'Me', age: 30, height: 170, gender: 'woman', interested_in: ['man'],
      preferred_age_min: 28, preferred_age_max: 36, preferred_height_min: 175, preferred_height_max: 195 });
    const ideal = await t.register({ name: 'Ideal', age: 32, height: 185, gender: 'man', interested_in: ['woman'],
      preferred_age_min: 26, preferred_age_max: 34, preferred_height_min: 160, preferred_height_max: 180 });
    const fine = await t.register({ name: 'Fine', age: 35, height: 176, gender: 'man',
      preferred_age_min: 30, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 170 });
    await t.register({ name: 'Too young', age: 25, height: 185, gender: 'man', preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 190 });
    await t.register({ name: 'Wants older', age: 32, height: 185, gender: 'man', preferred_age_min: 31, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190 });
    await t.register({ name: 'Wants men', age: 32, height: 185, gender: 'man', interested_in: ['man'], preferred_age_min: 25, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190 });
    await t.register({ name: 'Woman', age: 32, height: 185, gender: 'woman', preferred_age_min: 25, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190 });
    await t.register({ name: 'No gender', age: 32, height: 185, preferred_age_min: 25, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190 });

    const body = await page(me);
    expect(body).toMatchObject({ user_id: me.id, generated_at: expect.any(String) });
    expect(['cache', 'live']).toContain(body.source);
    expect(ids(body)).toEqual([ideal.id, fine.id]);
    expect(Object.keys(body.potential_matches[0]).sort()).toEqual(['age', 'bio', 'gender', 'height', 'id', 'interests', 'name', 'score']);
    expect(body.potential_matches[0].score).toBeGreaterThan(body.potential_matches[1].score);
    expect((await page(me, 1)).potential_matches).toHaveLength(1);
  });

  it('leaves out whom you liked or passed, who passed on you and your matches; ranks up who liked you', async () => {
    // Nonbinary people open only to nonbinary people: nobody else in this file's database qualifies.
    const base = { gender: 'nonbinary', interested_in: ['nonbinary'], age: 30, height: 175, preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 160, preferred_height_max: 190 };
    const me = await t.register(base);
    const [liked, passed, passedMe, likedMe, far] = [
      await t.register(base), await t.register(base), await t.register(base), await t.register(base),
      await t.register({ ...base, age: 35, height: 190 }),
    ];
    await t.call('POST', `/like/${me.id}/${liked!.id}`, { token: me.token });
    await t.call('POST', `/unlike/${me.id}/${passed!.id}`, { token: me.token });
    await t.call('POST', `/unlike/${passedMe!.id}/${me.id}`, { token: passedMe!.token });
    await t.call('POST', `/like/${far!.id}/${me.id}`, { token: far!.token });
    const body = await page(me);
    // Far fits worse than likedMe, but liked me, so comes first.
    expect(ids(body)).toEqual([far!.id, likedMe!.id]);
    // Liking back makes a match: gone from the page.
    await t.call('POST', `/like/${me.id}/${far!.id}`, { token: me.token });
    expect(ids(await page(me))).toEqual([likedMe!.id]);
  });

  it('reflects new preferences on the very next call', async () => {
    const me = await t.register({ age: 30, height: 175, preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 160, preferred_height_max: 190 });
    const other = await t.register({ age: 40, height: 175, preferred_age_min: 25, preferred_age_max: 45, preferred_height_min: 160, preferred_height_max: 190 });
    expect(ids(await page(me))).not.toContain(other.id);
    await t.call('PUT', `/update_preferences/${me.id}`, { token: me.token, body: { preferred_age_max: 45 } });
    expect(ids(await page(me))).toContain(other.id);
    await t.call('PUT', `/update_preferences/${other.id}`, { token: other.token, body: { interested_in: ['nonbinary'] } });
    expect(ids(await page(me))).not.toContain(other.id);
  });

  it('serves 20 cards when no limit is given, and up to 100', async () => {
    // Nobody else in this file's database is 70: these 30 only see each other.
    const base = { age: 70, height: 170, preferred_age_min: 70, preferred_age_max: 70, preferred_height_min: 150, preferred_height_max: 190 };
    const people = [];
    for (let i = 0; i < 30; i++) people.push(await t.register(base));
    expect((await page(people[0]!)).potential_matches).toHaveLength(20);
    expect((await page(people[0]!, 100)).potential_matches).toHaveLength(29);
  });

  it('refills a missing list: served live once, from the cache again right after', async () => {
    const base = { age: 90, height: 170, preferred_age_min: 90, preferred_age_max: 90, preferred_height_min: 150, preferred_height_max: 190 };
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await t.register(base));
    // Registered last, so their own list (computed in the background of their registration) holds the other five.
    const me = people.at(-1)!;
    await expect.poll(async () => (await page(me, 5)).source, { timeout: 5000 }).toBe('cache');
    // With its rendered page, which a read does not check against a lost list (rendered-pages.ts).
    await t.deps.redis.del(keys(t.config.REDIS_PREFIX).feed(me.id), keys(t.config.REDIS_PREFIX).page(me.id));
    const live = await page(me, 5);
    expect(live.source).toBe('live');
    await expect.poll(async () => (await page(me, 5)).source, { timeout: 5000 }).toBe('cache');
    expect(ids(await page(me, 5))).toEqual(ids(live));
  });

  it('validates limit, auth and the user', async () => {
    const me = await t.register();
    for (const bad of ['0', '101', 'abc', '-1', '2.5']) {
      const res = await t.call('GET', `/potential_matches/${me.id}?limit=${bad}`, { token: me.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await t.call('GET', `/potential_matches/${me.id}`)).status).toBe(401);
    expect((await t.call('GET', `/potential_matches/${me.id + 1}`, { token: me.token })).status).toBe(403);
    const ghost = await t.call('GET', '/potential_matches/77777', { token: await t.tokenFor(77777) });
    expect(ghost.status).toBe(401);
  });
});

describe('every page keeps the contract, whichever path serves it', () => {
  it.each([1, 2])('over a random population with swipes (seed %i)', async (seed) => {
    const r = rng(seed);
    const env = await createTestApi();
    try {
      const users = [];
      for (let i = 0; i < 100; i++) users.push(await env.register(randomProfile(r, i, true)));
      const tokens = new Map(users.map((u) => [u.id, u.token]));
      // Fresh lists for everyone (what a rebuild does), then swipes make them stale.
      for (const u of users) await refreshUserList({ ...env.deps, prefix: env.config.REDIS_PREFIX, cacheSize: env.config.FEED_CACHE_SIZE }, u.id);
      // Swipes through the API, interleaved with reads so that cached lists go stale on the way.
      for (const [i, [a, b, kind]] of randomSwipePlan(r, users.map((u) => u.id), 500).entries()) {
        const res = await env.call('POST', `/${kind === 'like' ? 'like' : 'unlike'}/${a}/${b}`, { token: tokens.get(a) });
        expect(res.status).toBeLessThan(300);
        if (i % 10 === 0) await env.call('GET', `/potential_matches/${a}`, { token: tokens.get(a) });
      }
      const world = await loadWorld(env.db);
      const sources = new Map<string, number>();
      for (const u of users) {
        const limit = 1 + Math.floor(r() * 30);
        const res = await env.call('GET', `/potential_matches/${u.id}?limit=${limit}`, { token: u.token });
        const me = world.users.find((w) => w.id === u.id)!;
        const allEligible = expectedPage(world, me, Infinity);
        const got: { id: number; score: number }[] = res.body.potential_matches;
        const why = `user ${u.id}, limit ${limit}, source ${res.body.source}`;
        sources.set(res.body.source, (sources.get(res.body.source) ?? 0) + 1);
        expect(got.length, why).toBe(Math.min(limit, allEligible.length));
        const eligibleIds = new Set(allEligible.map((e) => e.id));
        for (const c of got) expect(eligibleIds.has(c.id), why).toBe(true);
        expect(new Set(got.map((c) => c.id)).size).toBe(got.length);
        expect([...got].sort((a, b) => b.score - a.score || a.id - b.id)).toEqual(got);
      }
      // Both paths were exercised.
      expect(sources.get('cache')).toBeGreaterThan(10);
      expect(sources.get('live')).toBeGreaterThan(0);
    } finally {
      await env.close();
    }
  });
});
