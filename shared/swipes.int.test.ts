// The swipe as one statement (sql/migrations/0007): what the separate statements guaranteed must hold
// still. The pair's lock serialises crossing likes and comes before the xid; the users row is
// left alone (migration 0012); the counters follow every change and only changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { insertPerson } from '../test/support/population.js';
import { rows } from './db.js';
import { foldSwipeCounts } from './swipe-counts.js';
import { like, pass } from './swipes.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const person = () => insertPerson(env.db);
const matchCount = async (a: number, b: number) =>
  (await env.db.query('select count(*)::int as n from matches where user_low = least($1::int,$2::int) and user_high = greatest($1::int,$2::int)', [a, b])).rows[0].n;
const userRow = async (id: number) =>
  (await env.db.query('select xmin::text as xmin, last_active_at, version, change_xid::text as change_xid from users where id = $1', [id])).rows[0];

describe('a swipe', () => {
  it('waits for the pair\'s lock, takes its xid only after it, and crossing likes make exactly one match', async () => {
    const a = await person();
    const b = await person();
    // Another transaction holds the pair's lock and has no xid yet (an advisory lock assigns none).
    const held = await env.db.connect();
    await held.query('begin');
    await rows(held, 'lock_pair', [a, b]);
    let settled = 0;
    const likes = [like(env.db, a, b), like(env.db, b, a)].map((p) => p.finally(() => settled++));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(0); // both wait for the lock
    // Only now does the holder get its xid: a swipe that took its own before waiting would be below it.
    const [{ xid: heldXid }] = (await held.query('select pg_current_xact_id()::text as xid')).rows;
    await held.query('commit');
    held.release();
    const [ra, rb] = await Promise.all(likes);
    expect(BigInt(ra.xid)).toBeGreaterThan(BigInt(heldXid));
    expect(BigInt(rb.xid)).toBeGreaterThan(BigInt(heldXid));
    // One after the other: the first finds no like back, the second makes the match, with the larger xid.
    const [first, second] = BigInt(ra.xid) < BigInt(rb.xid) ? [ra, rb] : [rb, ra];
    expect([first.matched, second.matched]).toEqual([false, true]);
    expect(second.matchedAt).toBeInstanceOf(Date);
    expect(await matchCount(a, b)).toBe(1);
  });

  it('leaves the users row alone, and the export dates the swiper\'s activity by their latest swipe', async () => {
    const me = await person();
    const [x, y] = [await person(), await person()];
    await env.db.query(`update users set last_active_at = now() - interval '1 day' where id = $1`, [me]);
    const before = await userRow(me);
    const activeAt = async () => new Date(JSON.parse((await rows(env.db, 'export_profile', [me]))[0]!.profile).last_active_at).getTime();
    // No swipes yet: the row's own time.
    expect(await activeAt()).toBe(before.last_active_at.getTime());
    await like(env.db, me, x);
    await pass(env.db, me, y);
    // Neither swipe rewrote the row (no new row version, no touch), yet the export knows of them.
    expect(await userRow(me)).toEqual(before);
    expect(await activeAt()).toBeGreaterThan(Date.now() - 30_000);
  });

  it('appends counter deltas for every change and none for a repeat, across like, pass and like again', async () => {
    const a = await person();
    const b = await person();
    const deltas = async () => (await env.db.query('select count(*)::int as n from swipe_count_deltas where user_id in ($1, $2)', [a, b])).rows[0].n;
    await foldSwipeCounts(env.db);
    const steps: [() => Promise<unknown>, number][] = [
      [() => like(env.db, a, b), 2], // new: one row per side
      [() => like(env.db, a, b), 2], // a repeat changes nothing
      [() => pass(env.db, a, b), 4],
      [() => pass(env.db, a, b), 4],
      [() => like(env.db, a, b), 6],
      [() => like(env.db, b, a), 8],
    ];
    for (const [step, expected] of steps) {
      await step();
      expect(await deltas()).toBe(expected);
    }
    await foldSwipeCounts(env.db);
    const counts = (await env.db.query('select user_id, likes_given, passes_given, likes_received, passes_received from swipe_counts where user_id in ($1, $2) order by user_id', [a, b])).rows;
    expect(counts).toEqual([
      { user_id: a, likes_given: 1, passes_given: 0, likes_received: 1, passes_received: 0 },
      { user_id: b, likes_given: 1, passes_given: 0, likes_received: 1, passes_received: 0 },
    ]);
  });

  it('reports a new, repeated and replacing swipe, the match made and the match dissolved', async () => {
    const a = await person();
    const b = await person();
    expect(await like(env.db, a, b)).toMatchObject({ created: true, matched: false, matchedAt: null });
    expect(await like(env.db, a, b)).toMatchObject({ created: false, matched: false });
    const back = await like(env.db, b, a);
    expect(back).toMatchObject({ created: true, matched: true });
    expect(await like(env.db, a, b)).toMatchObject({ created: false, matched: true, matchedAt: back.matchedAt });
    expect(await pass(env.db, a, b)).toMatchObject({ unmatched: true });
    expect(await pass(env.db, a, b)).toMatchObject({ unmatched: false });
    expect(await matchCount(a, b)).toBe(0);
    expect(await like(env.db, a, b)).toMatchObject({ created: true, matched: true });
    await expect(like(env.db, a, 987_654)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'User 987654 was not found.' });
    await expect(pass(env.db, a, a)).rejects.toMatchObject({ code: 'SELF_SWIPE' });
  });
});
