// The failures of the precomputed path that issue 6 lists, each through the HTTP API on cached pages.
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { readPartition } from '../worker/partition-data.js';
import { rankAndWrite } from '../worker/processors/rebuild-partition.js';
import { keys } from './feed-store.js';
import { parseCard } from './cards.js';
import { createRedis, isCluster } from './redis.js';
import { createCachedFeed, refreshUserList } from './feed.js';
import { rows } from './db.js';
import { like } from './swipes.js';
import { planPartitions, type Cell } from './rebuild-plan.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

// Each test's people are of an age nobody else in this file's database has: they only see each other.
let cohortAge = 60;
async function cohort(n: number) {
  const age = cohortAge++;
  const base = { age, height: 170, preferred_age_min: age, preferred_age_max: age, preferred_height_min: 150, preferred_height_max: 190 };
  const people = [];
  for (let i = 0; i < n; i++) people.push(await t.register(base));
  return people;
}
// A cached list shorter than the page is refilled from the live path: ask for what the cohort leaves.
const page = async (u: { id: number; token: string }, limit = 1) => {
  const res = await t.call('GET', `/potential_matches/${u.id}?limit=${limit}`, { token: u.token });
  expect(res.status).toBe(200);
  return { source: res.body.source as string, ids: res.body.potential_matches.map((c: any) => c.id) as number[] };
};
const store = () => ({ db: t.db, live: t.deps.live, redis: t.deps.redis, prefix: t.config.REDIS_PREFIX, cacheSize: t.config.FEED_CACHE_SIZE });

describe('cached pages never show a swiped, matched or passed-on-you person', () => {
  it('a match does not come back on either side', async () => {
    const [a, b, c] = await cohort(3);
    for (const p of [a!, b!]) await refreshUserList(store(), p.id);
    expect((await t.call('POST', `/like/${b!.id}/${a!.id}`, { token: b!.token })).body.matched).toBe(false);
    expect((await t.call('POST', `/like/${a!.id}/${b!.id}`, { token: a!.token })).body.matched).toBe(true);
    const pa = await page(a!);
    const pb = await page(b!);
    expect(pa).toEqual({ source: 'cache', ids: [c!.id] });
    expect(pb).toEqual({ source: 'cache', ids: [c!.id] });
  });

  it('a pass is not undone when the other person likes you afterwards', async () => {
    const [a, b, c] = await cohort(3);
    for (const p of [a!, b!]) await refreshUserList(store(), p.id);
    await t.call('POST', `/unlike/${a!.id}/${b!.id}`, { token: a!.token });
    await t.call('POST', `/like/${b!.id}/${a!.id}`, { token: b!.token });
    expect(await page(a!)).toEqual({ source: 'cache', ids: [c!.id] });
    // b liked a, but a passed on b: a is not eligible for b either.
    expect(await page(b!)).toEqual({ source: 'cache', ids: [c!.id] });
  });

  it('who passed on you comes back when they like you again', async () => {
    const [a, b] = await cohort(2);
    await refreshUserList(store(), a!.id);
    await t.call('POST', `/unlike/${b!.id}/${a!.id}`, { token: b!.token });
    expect(await page(a!)).toEqual({ source: 'live', ids: [] });
    await t.call('POST', `/like/${b!.id}/${a!.id}`, { token: b!.token });
    // Not in a's cached list any more (it was written while b's pass stood), but eligible: the live path finds b.
    await refreshUserList(store(), a!.id);
    expect(await page(a!)).toEqual({ source: 'cache', ids: [b!.id] });
  });
});

describe('read-time checks', () => {
  it('drops a cached card whose owner changed their preferences after the list was computed', async () => {
    const [a, b, c] = await cohort(3);
    await refreshUserList(store(), a!.id);
    expect((await page(a!, 2)).source).toBe('cache');
    await t.call('PUT', `/update_preferences/${b!.id}`, { token: b!.token, body: { preferred_age_min: 18, preferred_age_max: 19 } });
    // a's list still holds b, but b no longer wants a's age: the page leaves b out.
    expect(await page(a!, 1)).toEqual({ source: 'cache', ids: [c!.id] });
  });
});

describe('versions from Postgres', () => {
  it('a rebuild partition that read a profile before it changed never puts back the older card or list', async () => {
    const [a, b] = await cohort(2);
    const plan = planPartitions(await rows<Cell>(t.db, 'population_cells'), 1);
    const before = await readPartition(t.db, plan[0]!);
    // b stops wanting a's age while the partition runs; a likes b.
    await t.call('PUT', `/update_preferences/${b!.id}`, { token: b!.token, body: { preferred_age_min: 18, preferred_age_max: 19 } });
    await refreshUserList(store(), a!.id);
    await rankAndWrite(store(), before);
    const card = parseCard((await t.deps.redis.get(keys(t.config.REDIS_PREFIX).card(b!.id)))!)!;
    expect(card.m.ageMax).toBe(19);
    // a's list from the partition (older snapshot) did not replace the fresher one.
    expect((await page(a!)).ids).toEqual([]);
  });
});

describe('rebuilds racing swipes', () => {
  it('a swipe made while a partition runs stays hidden after the partition writes its older list', async () => {
    const [a, b, c] = await cohort(3);
    const plan = planPartitions(await rows<Cell>(t.db, 'population_cells'), 1);
    const before = await readPartition(t.db, plan[0]!);
    await t.call('POST', `/like/${a!.id}/${b!.id}`, { token: a!.token });
    await rankAndWrite(store(), before);
    expect(await page(a!, 1)).toEqual({ source: 'cache', ids: [c!.id] });
  });
});

describe('Redis losing data', () => {
  it('writes back cards Redis lost, so a complete cached list serves pages again', async () => {
    const [a, b, c] = await cohort(3);
    await refreshUserList(store(), a!.id);
    expect((await page(a!, 2)).source).toBe('cache');
    // One DEL per key: on a Redis Cluster the two cards live in different slots. The rendered page goes
    // too: it is not checked against lost keys (under noeviction Redis loses keys only all together, rendered-pages.ts).
    const k = keys(t.config.REDIS_PREFIX);
    for (const key of [k.card(b!.id), k.card(c!.id), k.page(a!.id)]) await t.deps.redis.del(key);
    // The list holds everyone eligible, so it is not recomputed; the page is live until the cards are back.
    expect((await page(a!, 2)).source).toBe('live');
    await expect.poll(async () => (await page(a!, 2)).source, { timeout: 5000 }).toBe('cache');
  });
});

describe('Redis failing after a commit', () => {
  it('serves the swiper live until their list is dropped, so the swiped person never shows', async () => {
    const [a, b, c] = await cohort(3);
    // A feed on a connection that gives up quickly, as the API's does.
    const redis = createRedis(t.config, 'client', { commandTimeout: 150, maxRetriesPerRequest: 0 });
    const errors: unknown[] = [];
    const feed = createCachedFeed({ ...store(), redis, onError: (e) => errors.push(e) });
    try {
      await refreshUserList({ ...store(), redis }, a!.id);
      expect((await feed.page(a!.id, 2)).source).toBe('cache');
      const admin = createRedis(t.config);
      await admin.ping(); // connected: a cluster client knows its nodes
      // Every node pauses writes (on a cluster, CLIENT PAUSE is per node).
      const nodes: Redis[] = isCluster(admin) ? (admin as unknown as Cluster).nodes('master') : [admin];
      await Promise.all(nodes.map((n) => n.call('CLIENT', 'PAUSE', '600', 'WRITE')));
      // The like commits in Postgres; its Redis write then times out (and is never retried as such).
      const { xid } = await like(t.db, a!.id, b!.id);
      await feed.swiped(a!.id, b!.id, 'like', xid);
      expect(errors.length).toBeGreaterThan(0);
      // Redis is back, but this process has not dropped the list yet: it serves a live page.
      await Promise.all(nodes.map((n) => n.call('CLIENT', 'UNPAUSE')));
      await admin.quit();
      const meanwhile = await feed.page(a!.id, 1);
      expect(meanwhile.cards.map((x) => x.id)).toEqual([c!.id]);
      expect(meanwhile.source).toBe('live');
      await expect.poll(() => redis.exists(keys(t.config.REDIS_PREFIX).feed(a!.id)), { timeout: 5000 }).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
