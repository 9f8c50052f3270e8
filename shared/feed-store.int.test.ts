// The Lua scripts and key layout against a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { buryCards, cardValue, parseCard, readCard, writeCards } from './cards.js';
import { keys, mergeEntries, packList, readPage, recordExclusions, unpackList, writeLists, writeRebuildBatch } from './feed-store.js';
import { createRedis } from './redis.js';
import { testRedis } from '../test/support/env.js';

let redis: Redis;
const prefix = `t${Date.now().toString(36)}fs`;
const k = keys(prefix);
const list = (xmin: number, entries: [number, number][], complete = false, ownerVersion = 1) => ({
  xmin: String(xmin),
  ownerVersion,
  generatedAt: 1_700_000_000_000,
  complete,
  ids: Int32Array.from(entries, (e) => e[0]),
  scores: Int32Array.from(entries, (e) => e[1]),
});
const stored = async (uid: number) => unpackList((await redis.getBuffer(k.feed(uid)))!);
const exclusions = async (uid: number) => redis.hgetall(k.excl(uid));
const profile = (id: number, version = 1, shown = true) => ({
  id, name: `P${id}`, age: 30, height: 170, gender: 'woman' as const, interested_in: null, bio: null, interests: ['films'],
  preferred_age_min: 20, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190, version, shown,
});
const pageIds = async (uid: number) => (await readPage(redis, prefix, uid, 0, 100))!.entries.map((e) => e.id);

beforeAll(() => {
  redis = createRedis(testRedis());
});
afterAll(() => redis.quit());

describe.runIf(testRedis().REDIS_CLUSTER === 'on')('on a Redis Cluster', () => {
  it('is one of 3 masters, and a page reads cards held by other nodes', async () => {
    await redis.ping();
    const nodes = (redis as unknown as Cluster).nodes('master');
    expect(nodes).toHaveLength(3);
    const ids = Array.from({ length: 30 }, (_, i) => 1000 + i);
    await writeCards(redis, prefix, ids.map((id) => profile(id)));
    await writeLists(redis, prefix, [[999, list(3000, ids.map((id): [number, number] => [id, 2000 - id]))]]);
    const held = await Promise.all(nodes.map(async (n) => (await Promise.all(ids.map((id) => n.exists(k.card(id)).catch(() => 0)))).filter(Boolean).length));
    expect(held.filter((c) => c > 0).length).toBe(3);
    expect(held.reduce((a, b) => a + b, 0)).toBe(ids.length);
    expect((await readPage(redis, prefix, 999, 0, 30))!.entries.map((e) => e.card && JSON.parse(e.card.json).id)).toEqual(ids);
  });
});

describe('feed store', () => {
  it('replaces a list only with one of a newer snapshot, or the same snapshot and a newer owner version', async () => {
    await writeLists(redis, prefix, [[1, list(2000, [[5, 100]])]]);
    await writeLists(redis, prefix, [[1, list(1000, [[6, 200]], false, 9)]]);
    expect(Array.from((await stored(1)).ids)).toEqual([5]);
    await writeLists(redis, prefix, [[1, list(2000, [[8, 100]], false, 2)]]);
    expect(Array.from((await stored(1)).ids)).toEqual([8]);
    await writeLists(redis, prefix, [[1, list(2000, [[9, 100]], false, 1)]]);
    expect(Array.from((await stored(1)).ids)).toEqual([8]);
    await writeLists(redis, prefix, [[1, list(3000, [[7, 300]], true)]]);
    expect(await stored(1)).toEqual(list(3000, [[7, 300]], true));
  });

  it('writes a batch of lists each newer-wins, over several script calls, trimming only the lists it writes', async () => {
    // Even owners hold a list from a newer snapshot than the batch's, odd ones an older one.
    const owners = Array.from({ length: 450 }, (_, i) => 10_000 + i);
    await writeLists(redis, prefix, owners.map((uid): [number, ReturnType<typeof list>] => [uid, list(uid % 2 ? 100 : 900, [[1, 5]])]));
    await recordExclusions(redis, prefix, owners.map((uid) => ({ kind: 'pass' as const, from: 1, to: uid, xid: '300' })));
    // One batch: older than the evens' lists, newer than the odds'; same snapshot and a lower owner version for one, higher for another.
    await writeLists(redis, prefix, [
      ...owners.map((uid): [number, ReturnType<typeof list>] => [uid, list(500, [[2, 7], [3, 6]])]),
      [20_000, list(900, [[4, 1]], false, 2)],
    ]);
    for (const uid of owners) {
      expect(Array.from((await stored(uid)).ids), `list of ${uid}`).toEqual(uid % 2 ? [2, 3] : [1]);
      // The pass (xid 300) came after every list: the odds' new lists (xmin 500) know it and drop it, the evens' kept ones keep it.
      expect(Object.keys(await exclusions(uid)), `exclusions of ${uid}`).toEqual(uid % 2 ? [] : ['i:1']);
    }
    await writeLists(redis, prefix, [[20_000, list(900, [[5, 1]], false, 1)], [20_001, list(1, [[6, 1]])]]);
    expect(Array.from((await stored(20_000)).ids)).toEqual([4]);
    expect(Array.from((await stored(20_001)).ids)).toEqual([6]);
  });

  it('writes a batch of cards each newer-wins, and never over a tombstone', async () => {
    await writeCards(redis, prefix, [profile(80, 5), profile(81, 1)]);
    await buryCards(redis, prefix, [82]);
    const batch = [{ ...profile(80, 4), name: 'Old' }, { ...profile(81, 2), name: 'New' }, { ...profile(82, 3), name: 'Back' }, profile(83, 1)];
    // More cards than one script call takes, so the batch spans several.
    await writeCards(redis, prefix, [...batch, ...Array.from({ length: 600 }, (_, i) => profile(30_000 + i))]);
    expect(parseCard((await redis.get(k.card(80)))!)!.card.name).toBe('P80');
    expect(parseCard((await redis.get(k.card(81)))!)!.card.name).toBe('New');
    expect(parseCard((await redis.get(k.card(82)))!)).toBeNull();
    expect(parseCard((await redis.get(k.card(83)))!)!.m).toEqual({ id: 83, age: 30, height: 170, genderBit: 2, interestMask: 15, ageMin: 20, ageMax: 40, heightMin: 150, heightMax: 190 });
    expect(await redis.exists(k.card(30_599))).toBe(1);
  });

  it('writes a rebuild batch (cards, then lists) each newer-wins, trimming only the lists it writes', async () => {
    await writeCards(redis, prefix, [profile(90, 5), profile(91, 1)]);
    await buryCards(redis, prefix, [92]);
    await writeLists(redis, prefix, [[90, list(900, [[1, 5]])], [91, list(100, [[1, 5]])]]);
    await recordExclusions(redis, prefix, [90, 91].map((uid) => ({ kind: 'pass' as const, from: 1, to: uid, xid: '300' })));
    const uids = [90, 91, 92, 93];
    const packed = uids.map((uid) => packList(list(500, [[uid + 100, 7], [uid + 200, 6]])));
    const versions = [4, 2, 3, 1];
    await writeRebuildBatch(redis, prefix, {
      uids: Int32Array.from(uids),
      lists: Buffer.concat(packed),
      listEnds: Int32Array.from(packed, (_, i) => packed.slice(0, i + 1).reduce((n, b) => n + b.length, 0)),
      cards: uids.map((uid, i) => cardValue({ ...profile(uid, versions[i]), name: `New${uid}` })),
    });
    const name = async (id: number) => parseCard((await redis.get(k.card(id)))!)?.card.name ?? null;
    expect([await name(90), await name(91), await name(92), await name(93)]).toEqual(['P90', 'New91', null, 'New93']);
    expect(await redis.ttl(k.card(92))).toBeGreaterThan(0); // the tombstone keeps its expiry
    expect(await redis.ttl(k.card(91))).toBe(-1);
    expect(Array.from((await stored(90)).ids)).toEqual([1]);
    for (const uid of [91, 92, 93]) expect(Array.from((await stored(uid)).ids)).toEqual([uid + 100, uid + 200]);
    expect(Object.keys(await exclusions(90))).toEqual(['i:1']);
    expect(Object.keys(await exclusions(91))).toEqual([]);
  });

  it('keeps exclusions the list may not know (xid at or above its xmin), drops older ones', async () => {
    await recordExclusions(redis, prefix, [
      { kind: 'like', from: 2, to: 10, xid: '500' },
      { kind: 'pass', from: 2, to: 11, xid: '400' },
      { kind: 'pass', from: 12, to: 2, xid: '499' },
    ]);
    await writeLists(redis, prefix, [[2, list(500, [[13, 1]])]]);
    expect(Object.keys(await exclusions(2))).toEqual(['o:10']);
  });

  it('keeps a user\'s own swipes apart from what others did: a like back never brings anyone back', async () => {
    // 30 and 31 are in each other's lists; 31 likes 30, then 30 likes 31 back (a match).
    await writeLists(redis, prefix, [[30, list(100, [[31, 9], [32, 8]])], [31, list(100, [[30, 9], [33, 8]])]]);
    await recordExclusions(redis, prefix, [{ kind: 'like', from: 31, to: 30, xid: '200' }]);
    await recordExclusions(redis, prefix, [{ kind: 'like', from: 30, to: 31, xid: '201' }]);
    expect(await pageIds(30)).toEqual([32]);
    expect(await pageIds(31)).toEqual([33]);
    // A pass on someone, and then they like you: you still never see them.
    await recordExclusions(redis, prefix, [{ kind: 'pass', from: 30, to: 32, xid: '202' }, { kind: 'like', from: 32, to: 30, xid: '203' }]);
    expect(await pageIds(30)).toEqual([]);
  });

  it('hides who passed on you until they like you again, whatever order the writes arrive in', async () => {
    await writeLists(redis, prefix, [[40, list(100, [[41, 9]])]]);
    // The like (xid 301) arrives before the pass it replaced (xid 300): the like still wins.
    await recordExclusions(redis, prefix, [{ kind: 'like', from: 41, to: 40, xid: '301' }]);
    await recordExclusions(redis, prefix, [{ kind: 'pass', from: 41, to: 40, xid: '300' }]);
    expect(await pageIds(40)).toEqual([41]);
    await recordExclusions(redis, prefix, [{ kind: 'pass', from: 41, to: 40, xid: '302' }]);
    expect(await pageIds(40)).toEqual([]);
  });

  it('blocks hide both ways', async () => {
    await writeLists(redis, prefix, [[50, list(100, [[51, 9]])], [51, list(100, [[50, 9]])]]);
    await recordExclusions(redis, prefix, [{ kind: 'block', from: 51, to: 50, xid: '400' }]);
    expect(await pageIds(50)).toEqual([]);
    expect(await pageIds(51)).toEqual([]);
  });

  it('merges an entry in rank order, capped, only into existing lists and only from a snapshot at least as new', async () => {
    await writeLists(redis, prefix, [[3, list(5000, [[1, 90], [2, 80], [4, 80]])]]);
    await mergeEntries(redis, prefix, [[3, 3, 80], [3, 1, 50], [99, 7, 10]], 3, '5000');
    const got = await stored(3);
    // 3 lands between 2 and 4 (ties: smaller id first) and the cap drops 4; 1's new, lower score moves it down.
    expect(Array.from(got.ids)).toEqual([2, 3, 1]);
    expect(Array.from(got.scores)).toEqual([80, 80, 50]);
    expect(got.xmin).toBe('5000');
    expect(await redis.exists(k.feed(99))).toBe(0);
    await mergeEntries(redis, prefix, [[3, 8, 99]], 3, '4999');
    expect(Array.from((await stored(3)).ids)).toEqual([2, 3, 1]);
  });

  it('writes cards newer-wins; a tombstone is final', async () => {
    await writeCards(redis, prefix, [profile(60, 5)]);
    await writeCards(redis, prefix, [{ ...profile(60, 4), name: 'Old' }]);
    expect((await redis.get(k.card(60)))).toBe(cardValue(profile(60, 5)));
    await buryCards(redis, prefix, [60]);
    await writeCards(redis, prefix, [profile(60, 6)]);
    expect((await redis.get(k.card(60)))!.endsWith('null')).toBe(true);
    expect(await redis.ttl(k.card(60))).toBeGreaterThan(0);
  });

  it('reads a page in one call: list minus exclusions, with cards, in chunks', async () => {
    await writeLists(redis, prefix, [[70, list(100, [[71, 9], [72, 8], [73, 7], [74, 6], [75, 5]], true)]]);
    await writeCards(redis, prefix, [profile(70), profile(71), profile(73), profile(74), profile(75, 1, false)]);
    await recordExclusions(redis, prefix, [{ kind: 'pass', from: 70, to: 74, xid: '900' }]);
    const first = await readPage(redis, prefix, 70, 0, 2);
    expect(first).toMatchObject({ complete: true, remaining: 2, me: readCard(70, cardValue(profile(70))) });
    expect(first!.entries.map((e) => [e.id, e.score, e.card && JSON.parse(e.card.json).name])).toEqual([[71, 9, 'P71'], [72, 8, undefined]]);
    const next = await readPage(redis, prefix, 70, 2, 5);
    expect(next!.me).toBeUndefined();
    expect(next!.entries.map((e) => [e.id, e.card?.s])).toEqual([[73, true], [75, false]]);
    expect(next!.remaining).toBe(0);
    expect(await readPage(redis, prefix, 404, 0, 5)).toBeUndefined();
  });

  it('counts what remains after a page with and without exclusions, wherever the page ends', async () => {
    const entries = Array.from({ length: 7 }, (_, i): [number, number] => [301 + i, 50 - i]);
    await writeLists(redis, prefix, [[300, list(100, entries, true)]]);
    for (const [skip, n, ids, remaining] of [[0, 3, [301, 302, 303], 4], [3, 4, [304, 305, 306, 307], 0], [5, 9, [306, 307], 0], [7, 2, [], 0]] as const) {
      const read = (await readPage(redis, prefix, 300, skip, n))!;
      expect([read.entries.map((e) => e.id), read.remaining]).toEqual([ids, remaining]);
    }
    await recordExclusions(redis, prefix, [{ kind: 'like', from: 300, to: 302, xid: '900' }, { kind: 'pass', from: 306, to: 300, xid: '901' }]);
    const read = (await readPage(redis, prefix, 300, 1, 2))!;
    expect([read.entries.map((e) => e.id), read.remaining]).toEqual([[303, 304], 2]);
  });
});
