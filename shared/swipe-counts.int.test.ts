// The ranking's counters: what the like and pass transactions append, folded, equals a recount
// from the swipes table, also with many likes landing on one user at once; so does when each was
// last swiped on (the time of the latest swipe received, kept in the deltas).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { insertPerson } from '../test/support/population.js';
import { listen, sql } from './db.js';
import { BULK_LOADED } from './live-index.js';
import { foldSwipeCounts, queueReach, recountSwipeCounts } from './swipe-counts.js';
import { like, pass } from './swipes.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const counts = async () =>
  (await env.db.query('select user_id, likes_given, passes_given, likes_received, passes_received, last_swiped_on from swipe_counts order by user_id')).rows;

describe('swipe counters', () => {
  it('fold to what a recount from the swipes table gives, concurrent likes on one user included', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push(await insertPerson(env.db));
    }
    const [star, a, b, c] = ids as [number, number, number, number];
    // Everyone likes the same person at once: one short transaction each, none waits on a counter row.
    await Promise.all(ids.slice(1).map((id) => like(env.db, id, star)));
    await like(env.db, a, b);
    await like(env.db, a, b); // a repeat changes nothing
    await pass(env.db, a, b); // a pass replaces the like
    await pass(env.db, a, c);
    await like(env.db, a, c); // and a like replaces the pass
    await pass(env.db, b, star); // withdraws b's like
    expect(await foldSwipeCounts(env.db)).toBeGreaterThan(0);
    expect(await foldSwipeCounts(env.db)).toBe(0); // nothing left to fold
    const folded = await counts();
    expect(folded.find((r) => r.user_id === star)).toMatchObject({ likes_received: 23, passes_received: 1 });
    expect(folded.find((r) => r.user_id === a)).toMatchObject({ likes_given: 2, passes_given: 1, last_swiped_on: null }); // nobody swiped on a
    const lastOnStar = (await env.db.query('select max(updated_at) as at from swipes where swipee_id = $1', [star])).rows[0].at;
    expect(folded.find((r) => r.user_id === star)!.last_swiped_on).toEqual(lastOnStar); // b's pass, the latest
    // A recount writes every user (zeros for the untouched); the fold only those a swipe touched.
    await recountSwipeCounts(env.db);
    const all = await counts();
    const touched = new Set(folded.map((r) => r.user_id));
    expect(all.filter((r) => touched.has(r.user_id))).toEqual(folded);
    expect(all.filter((r) => !touched.has(r.user_id)).every((r) => r.likes_given + r.passes_given + r.likes_received + r.passes_received === 0 && r.last_swiped_on === null)).toBe(true);
  });

  it('fold a backlog larger than one statement takes, a bounded chunk a statement, to the same counts', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(await insertPerson(env.db));
    }
    for (const a of ids) for (const b of ids) if (a !== b) await (a % 3 ? like : pass)(env.db, a, b);
    const pending = async () => Number((await env.db.query('select count(*) from swipe_count_deltas')).rows[0].count);
    const backlog = await pending();
    expect(backlog).toBe(8 * 7 * 2);
    // One statement moves at most its share.
    const [one] = (await env.db.query(sql('fold_swipe_counts'), [5])).rows;
    expect(one.deltas).toBe(5);
    expect(await pending()).toBe(backlog - 5);
    // The fold goes on until nothing is left, and the counters end where a recount puts them.
    expect(await foldSwipeCounts(env.db, 5)).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    const folded = await counts();
    await recountSwipeCounts(env.db);
    expect(await counts()).toEqual(folded);
  });

  it('move in the reach a rebuild counted a range of user ids a statement, until every id is covered', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(await insertPerson(env.db));
    }
    await queueReach(env.db, ids, ids.map((_, i) => 1000 * (i + 1)));
    const reach = async () => (await env.db.query('select user_id, reach_ppm, reach_next from swipe_counts where user_id = any($1) order by user_id', [ids])).rows;
    // One statement moves only the ids of its range.
    const [one] = (await env.db.query(sql('promote_reach'), [ids[0], ids[1]])).rows;
    expect(one.users).toBe(2);
    expect((await reach()).filter((r) => r.reach_next === null).map((r) => r.user_id)).toEqual(ids.slice(0, 2));
    // Live indexes hear of a fold that changed something (they reload to rank with it), and only then.
    let heard = 0;
    const stop = listen(env.db, BULK_LOADED, () => heard++);
    try {
      // LISTEN starts on its own connection: notify until it hears.
      await expect.poll(async () => (await env.db.query(`select pg_notify($1, '')`, [BULK_LOADED]), heard), { timeout: 5_000 }).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 100));
      heard = 0;
      // The whole promotion walks every range, one id a statement here, and counts the users it moved
      // (the highest id included: it ends its own range).
      expect(await foldSwipeCounts(env.db, 100, 1)).toBe(ids.length - 2);
      expect(await reach()).toEqual(ids.map((id, i) => ({ user_id: id, reach_ppm: 1000 * (i + 1), reach_next: null })));
      await expect.poll(() => heard, { timeout: 5_000 }).toBe(1);
      expect(await foldSwipeCounts(env.db, 100, 1)).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toBe(1);
    } finally {
      await stop();
    }
  });
});
