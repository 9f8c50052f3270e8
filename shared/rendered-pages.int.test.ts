// Rendered pages against a real Redis (or Redis Cluster): served only while nothing they were
// rendered from has changed, and never stored from a read that a write overtook.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { buryCards, cardValue, writeCards } from './cards.js';
import { dropLists, keys, mergeEntries, readPage, recordExclusions, writeLists, writeRebuildBatch, packList } from './feed-store.js';
import { READERS_SUFFIX } from './page-readers.js';
import { RENDERED_PAGE_TTL_S, newClaim, putRendered, readRendered } from './rendered-pages.js';
import { createRedis, isCluster } from './redis.js';
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
const served = async () => (await readRendered(redis, prefix, OWNER, 3))?.toString();
const unregister = async () => {
  for (const id of [1, 2, 3, 4, 5]) await redis.del(`${keys(prefix).card(id)}${READERS_SUFFIX}`);
};

beforeAll(() => {
  redis = createRedis(testRedis());
});
afterAll(() => redis.quit());
let xmin = 1000;
beforeEach(async () => {
  xmin += 10;
  // Each test starts from version 1 of every card (tests write newer ones and tombstones), and without
  // registrations (which outlive a page that stopped reading a card).
  for (const id of [1, 2, 3, 4, 5]) await redis.del(keys(prefix).card(id));
  await unregister();
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

  it('goes with a rebuild batch that writes a new version of a card it read, and stays for the same version', async () => {
    const packed = packList(list(xmin, [OWNER]));
    const batch = (card: string) => writeRebuildBatch(redis, prefix, { uids: Int32Array.of(4), lists: packed, listEnds: Int32Array.of(packed.length), cards: [card] });
    await batch((await redis.get(keys(prefix).card(4)))!);
    expect(await served()).toBe('page');
    await batch(cardValue(profile(4, 2)));
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

  it('is never served from a read that a card change overtook', async () => {
    // A single Redis refuses to store it; a Redis Cluster's read finds the version changed. (Without
    // the registrations of the page before, whose deletion would take the claim too.)
    await render('stale', () => unregister().then(() => writeCards(redis, prefix, [profile(3, 2)])));
    expect(await served()).toBeUndefined();
    await render('stale', () => unregister().then(() => buryCards(redis, prefix, [OWNER])));
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

  it('a page stored in another form (or an earlier one) is rendered again, never served unchecked', async () => {
    const page = keys(prefix).page(OWNER);
    const forms = [`3\n${OWNER}=,2=\nold`, `3\n[["${keys(prefix).card(2)}"],["${'0'.repeat(12)}"]]\nold`, '3\n\nold'];
    // The form of this side is the one putRendered writes; the others must not be served.
    for (const form of forms.filter((f) => f !== (isCluster(redis) ? forms[1] : forms[2]))) {
      await redis.set(page, form, 'EX', 60);
      expect(await served(), form).toBeUndefined();
    }
    expect(await render('page')).toBe(true);
    expect(await served()).toBe('page');
  });

  it.runIf(testRedis().REDIS_CLUSTER === 'off')('registers its owner with each card it read, for as long as the page lives', async () => {
    for (const id of [OWNER, 2, 3, 4]) {
      const r = `${keys(prefix).card(id)}${READERS_SUFFIX}`;
      expect(await redis.sismember(r, String(OWNER)), `${id}`).toBe(1);
      expect(await redis.ttl(r)).toBeGreaterThan(RENDERED_PAGE_TTL_S - 5);
    }
    expect(await redis.exists(`${keys(prefix).card(5)}${READERS_SUFFIX}`)).toBe(0);
    await writeCards(redis, prefix, [profile(2, 3)]);
    expect(await redis.exists(`${keys(prefix).card(2)}${READERS_SUFFIX}`)).toBe(0);
  });
});
