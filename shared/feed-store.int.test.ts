// The Lua scripts and key layout against a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Redis } from 'ioredis';
import { cardValue, keys, mergeEntries, readPage, recordSwipe, unpackList, writeCards, writeLists } from './feed-store.js';
import { createRedis } from './redis.js';

let redis: Redis;
const prefix = `t${Date.now().toString(36)}fs`;
const k = keys(prefix);
const list = (generatedAt: number, entries: [number, number][], complete = false) => ({
  generatedAt,
  complete,
  ids: Int32Array.from(entries, (e) => e[0]),
  scores: Int32Array.from(entries, (e) => e[1]),
});
const stored = async (uid: number) => unpackList((await redis.getBuffer(k.feed(uid)))!);
const hiddenOf = async (uid: number) => new Set((await redis.zrange(k.hide(uid), '0', '-1')).map(Number));
const profile = (id: number) => ({
  id, name: `P${id}`, age: 30, height: 170, gender: 'woman' as const, interested_in: null, bio: null, interests: ['films'],
  preferred_age_min: 20, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190,
});

beforeAll(() => {
  redis = createRedis(inject('redisUrl'));
});
afterAll(() => redis.quit());

describe('feed store', () => {
  it('replaces a list only with a newer one', async () => {
    await writeLists(redis, prefix, [[1, list(2_000_000, [[5, 100]])]]);
    await writeLists(redis, prefix, [[1, list(1_000_000, [[6, 200]])]]);
    expect(Array.from((await stored(1)).ids)).toEqual([5]);
    await writeLists(redis, prefix, [[1, list(3_000_000, [[7, 300]], true)]]);
    expect(await stored(1)).toEqual(list(3_000_000, [[7, 300]], true));
  });

  it('keeps swipes made since (or just before) the list was read, drops older ones', async () => {
    await recordSwipe(redis, prefix, 2, 10, 'like');
    await redis.zadd(k.hide(2), '1000', '11');
    const now = Date.now();
    await writeLists(redis, prefix, [[2, list(now, [[12, 1]])]]);
    expect((await stored(2)).generatedAt).toBe(now);
    expect([...(await hiddenOf(2))]).toEqual([10]);
  });

  it('records a pass on both sides and a like only on the swiper', async () => {
    await recordSwipe(redis, prefix, 20, 21, 'pass');
    expect((await hiddenOf(21)).has(20)).toBe(true);
    await recordSwipe(redis, prefix, 20, 21, 'like');
    expect((await hiddenOf(21)).has(20)).toBe(false);
    expect((await hiddenOf(20)).has(21)).toBe(true);
  });

  it('merges an entry in rank order, replacing an old one, capped, and only into existing lists', async () => {
    await writeLists(redis, prefix, [[3, list(5_000, [[1, 90], [2, 80], [4, 80]])]]);
    await mergeEntries(redis, prefix, [[3, 3, 80], [3, 1, 50], [99, 7, 10]], 3);
    const got = await stored(3);
    // 3 lands between 2 and 4 (ties: smaller id first) and the cap drops 4; 1's new, lower score moves it down.
    expect(Array.from(got.ids)).toEqual([2, 3, 1]);
    expect(Array.from(got.scores)).toEqual([80, 80, 50]);
    expect(got.generatedAt).toBe(5_000);
    expect(await redis.exists(k.feed(99))).toBe(0);
  });

  it('reads a page in one call: list minus hidden entries, with cards, in chunks', async () => {
    await writeLists(redis, prefix, [[40, list(Date.now(), [[41, 9], [42, 8], [43, 7], [44, 6], [45, 5]], true)]]);
    await writeCards(redis, prefix, [profile(40), profile(41), profile(43), profile(44), profile(45)]);
    await recordSwipe(redis, prefix, 40, 44, 'pass');
    const first = await readPage(redis, prefix, 40, 0, 2);
    expect(first).toMatchObject({ complete: true, remaining: 2, me: JSON.parse(cardValue(profile(40))) });
    expect(first!.entries.map((e) => [e.id, e.score, e.card?.card.name])).toEqual([[41, 9, 'P41'], [42, 8, undefined]]);
    const next = await readPage(redis, prefix, 40, 2, 5);
    expect(next!.me).toBeUndefined();
    expect(next!.entries.map((e) => e.id)).toEqual([43, 45]);
    expect(next!.remaining).toBe(0);
    expect(await readPage(redis, prefix, 404, 0, 5)).toBeUndefined();
  });
});
