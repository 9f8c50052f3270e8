// Rendered pages against a real Redis (or Redis Cluster): served only while nothing they were
// rendered from has changed, and never stored from a read that a write overtook.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { buryCards, writeCards } from './cards.js';
import { dropLists, keys, mergeEntries, readPage, recordExclusions, writeLists, writeRebuildBatch, packList } from './feed-store.js';
import { newClaim, putRendered, readRendered } from './rendered-pages.js';
import { createRedis } from './redis.js';
import { testRedis } from '../test/support/env.js';

let redis: Redis;
const prefix = `t${Date.now().toString(36)}rp`;
const OWNER = 1;
const profile = (id: number, version = 1) => ({
  id, name: `P${id}`, age: 30, height: 170, gender: 'woman' as const, interested_in: null, bio: null, interests: ['films'],
  preferred_age_min: 20, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190, version, shown: true,
});
const list = (xmin: number, ids: number[]) => ({
  xmin: String(xmin), ownerVersion: 1, generatedAt: 1_700_000_000_000, complete: false,
  ids: Int32Array.from(ids), scores: Int32Array.from(ids, (_, i) => 1000 - i),
});

/** Reads the first page with a claim and stores `body` as rendered from it, as the cached feed does. */
async function render(body: string, between?: () => Promise<unknown>): Promise<boolean> {
  const claim = newClaim();
  const read = (await readPage(redis, prefix, OWNER, 0, 3, claim))!;
  await between?.();
  return putRendered(redis, prefix, OWNER, claim, 3, [[OWNER, read.meVersion], ...read.entries.map((e): [number, string] => [e.id, e.version])], body);
}
const served = () => readRendered(redis, prefix, OWNER, 3);

beforeAll(() => {
  redis = createRedis(testRedis());
});
afterAll(() => redis.quit());
let xmin = 1000;
beforeEach(async () => {
  xmin += 10;
  await writeCards(redis, prefix, [1, 2, 3, 4, 5].map((id) => profile(id)));
  await writeLists(redis, prefix, [[OWNER, list(xmin, [2, 3, 4, 5])]]);
  expect(await render('page')).toBe(true);
  expect(await served()).toBe('page');
});

describe('rendered pages', () => {
  it('is served only for the limit it was rendered for', async () => {
    expect(await readRendered(redis, prefix, OWNER, 4)).toBeUndefined();
  });

  it('goes with a swipe or block of the owner, or on them, recorded after it', async () => {
    await recordExclusions(redis, prefix, [{ kind: 'like', from: OWNER, to: 2, xid: String(xmin + 1) }]);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await recordExclusions(redis, prefix, [{ kind: 'pass', from: 9, to: OWNER, xid: String(xmin + 2) }]);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await recordExclusions(redis, prefix, [{ kind: 'block', from: 8, to: OWNER, xid: String(xmin + 3) }]);
    expect(await served()).toBeUndefined();
  });

  it('stays when another user swipes on someone else', async () => {
    await recordExclusions(redis, prefix, [{ kind: 'like', from: 7, to: 2, xid: String(xmin + 1) }]);
    expect(await served()).toBe('page');
  });

  it('goes with a new list, a merged entry, a rebuild batch, or a dropped list', async () => {
    await writeLists(redis, prefix, [[OWNER, list(xmin + 1, [3, 2, 4, 5])]]);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await mergeEntries(redis, prefix, [[OWNER, 5, 5000]], 75, String(xmin + 1));
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    const packed = packList(list(xmin + 2, [2, 3]));
    await writeRebuildBatch(redis, prefix, { uids: Int32Array.of(OWNER), lists: packed, listEnds: Int32Array.of(packed.length), cards: [(await redis.get(keys(prefix).card(OWNER)))!] });
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await dropLists(redis, prefix, [OWNER]);
    expect(await served()).toBeUndefined();
  });

  it('goes with its list when Redis loses the list and nothing else', async () => {
    await redis.del(keys(prefix).feed(OWNER));
    expect(await served()).toBeUndefined();
  });

  it('is not served once a card it read, or the owner’s own, has a new version or is erased', async () => {
    await writeCards(redis, prefix, [profile(4, 2)]);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await writeCards(redis, prefix, [profile(OWNER, 2)]);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    await buryCards(redis, prefix, [3]);
    expect(await served()).toBeUndefined();
  });

  it('a card it did not read (past the page) changes nothing', async () => {
    await writeCards(redis, prefix, [profile(5, 2)]);
    expect(await served()).toBe('page');
  });

  it('a card that was missing when it was rendered invalidates it once written', async () => {
    await redis.del(keys(prefix).card(3));
    expect(await render('without 3')).toBe(true);
    expect(await served()).toBe('without 3');
    await writeCards(redis, prefix, [profile(3)]);
    expect(await served()).toBeUndefined();
  });

  it('is never stored from a read that a swipe or a new list overtook', async () => {
    expect(await render('stale', () => recordExclusions(redis, prefix, [{ kind: 'pass', from: OWNER, to: 3, xid: String(xmin + 1) }]))).toBe(false);
    expect(await served()).toBeUndefined();
    expect(await render('stale', () => writeLists(redis, prefix, [[OWNER, list(xmin + 2, [2, 4])]]))).toBe(false);
    expect(await served()).toBeUndefined();
    // Two reads at once: only the later claim stores.
    const a = newClaim(), b = newClaim();
    await readPage(redis, prefix, OWNER, 0, 3, a);
    await readPage(redis, prefix, OWNER, 0, 3, b);
    expect(await putRendered(redis, prefix, OWNER, a, 3, [], 'a')).toBe(false);
    expect(await putRendered(redis, prefix, OWNER, b, 3, [[OWNER, (await readPage(redis, prefix, OWNER, 0, 1))!.meVersion]], 'b')).toBe(true);
    expect(await served()).toBe('b');
  });

  it('a page stored in the earlier format (before the JSON list of cards) is rendered again, not an error', async () => {
    const page = keys(prefix).page(OWNER);
    await redis.set(page, `3\n${OWNER}=,2=\nold`, 'EX', 60);
    expect(await served()).toBeUndefined();
    expect(await render('page')).toBe(true);
    expect(await served()).toBe('page');
  });
});
