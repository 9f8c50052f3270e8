// Feed pages in API tests: a band of people who only fit each other, cached lists forced like a
// rebuild would write them, and pages read from the cache or the live path.
import { expect } from 'vitest';
import { refreshUserList } from '../../shared/feed.js';
import type { TestApi } from './api.js';

export type Person = { id: number; token: string };

/** `n` people of age `age` (18..120, one per test) who fit each other and nobody else of another age. */
export async function band(t: TestApi, age: number, n: number): Promise<Person[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await t.register({ age, height: 170, preferred_age_min: age, preferred_age_max: age, preferred_height_min: 150, preferred_height_max: 190 }));
  }
  return out;
}

/** Writes each person's cached list and card from Postgres now (what a rebuild does). */
export async function cacheLists(t: TestApi, people: Person[]): Promise<void> {
  const store = { ...t.deps, prefix: t.config.REDIS_PREFIX, cacheSize: t.config.FEED_CACHE_SIZE };
  for (const p of people) await refreshUserList(store, p.id);
}

/** The ids on the person's page and where it came from. */
export async function pageOf(t: TestApi, p: Person, limit = 20): Promise<{ ids: number[]; source: string }> {
  const res = await t.call('GET', `/potential_matches/${p.id}?limit=${limit}`, { token: p.token });
  expect(res.status).toBe(200);
  return { ids: res.body.potential_matches.map((c: { id: number }) => c.id), source: res.body.source };
}

/**
 * The page from the cached list (asserted) with `limit` at most the band's others still shown, and
 * the page from the live path: a complete list shorter than the limit of 100 is served live.
 */
export async function bothPages(t: TestApi, p: Person, cachedLimit: number): Promise<{ cached: number[]; live: number[] }> {
  const cached = await pageOf(t, p, cachedLimit);
  expect(cached.source, `user ${p.id}'s page of ${cachedLimit}`).toBe('cache');
  const live = await pageOf(t, p, 100);
  expect(live.source).toBe('live');
  return { cached: cached.ids, live: live.ids };
}

export async function matchIds(t: TestApi, p: Person): Promise<number[]> {
  const res = await t.call('GET', `/matches/${p.id}`, { token: p.token });
  expect(res.status).toBe(200);
  return res.body.matches.map((m: { user: { id: number } }) => m.user.id);
}
