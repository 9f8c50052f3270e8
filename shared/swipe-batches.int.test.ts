// Swipes that arrive together share a transaction: each still gets its own answer and error, a pair
// never twice in one batch, at most IN_FLIGHT calls at once, and a batch that fails is run again
// one swipe at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { insertPerson } from '../test/support/population.js';
import { createPool, rows } from './db.js';
import { IN_FLIGHT, createSwipeWriter } from './swipe-batches.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const person = () => insertPerson(env.db);
const people = (n: number) => Promise.all(Array.from({ length: n }, person));
const kindOf = async (a: number, b: number) => (await env.db.query('select kind from swipes where swiper_id = $1 and swipee_id = $2', [a, b])).rows[0]?.kind;
const calls = (w: ReturnType<typeof createSwipeWriter>) => ({ ...w.stats });

describe('the swipe writer', () => {
  it('writes a burst in one call, each swipe with its own answer, and the likes back make their matches', async () => {
    const [a, ...others] = await people(7);
    const w = createSwipeWriter(env.db);
    const first = await Promise.all(others.map((o) => w.write(a!, o, 'like')));
    expect(calls(w)).toEqual({ batches: 1, singles: 0, retried: 0 });
    expect(first.every((r) => r.created && !r.matched)).toBe(true);
    expect(new Set(first.map((r) => r.xid)).size).toBe(1); // one transaction
    // Half of them like back, the others pass, in one burst; then a repeat of a's likes.
    const back = await Promise.all(others.map((o, i) => w.write(o, a!, i % 2 ? 'like' : 'pass')));
    expect(back.map((r) => [r.created, r.matched])).toEqual(others.map((_, i) => [true, i % 2 === 1]));
    const again = await Promise.all(others.map((o) => w.write(a!, o, 'like')));
    expect(again.map((r) => [r.created, r.matched])).toEqual(others.map((_, i) => [false, i % 2 === 1]));
    expect(again.filter((r) => r.matched).map((r) => r.matched_at)).toEqual(back.filter((r) => r.matched).map((r) => r.matched_at));
    expect(calls(w)).toEqual({ batches: 3, singles: 0, retried: 0 });
  });

  it('sends a pair once per batch, so a pair\'s later swipe commits after, with a larger xid', async () => {
    const [a, b, c] = await people(3);
    const w = createSwipeWriter(env.db);
    const [ab, ba, ac, abPass] = await Promise.all([w.write(a!, b!, 'like'), w.write(b!, a!, 'like'), w.write(a!, c!, 'like'), w.write(a!, b!, 'pass')]);
    // a-b and a-c together; then b's like back; then a's pass.
    expect(calls(w)).toEqual({ batches: 1, singles: 2, retried: 0 });
    expect(ab.xid).toBe(ac.xid);
    expect(BigInt(ba.xid)).toBeGreaterThan(BigInt(ab.xid));
    expect(BigInt(abPass.xid)).toBeGreaterThan(BigInt(ba.xid));
    expect([ab.matched, ba.matched, abPass.unmatched]).toEqual([false, true, true]);
    expect(await kindOf(a!, b!)).toBe('pass');
  });

  it('answers a swipe on someone who does not exist with 404 and writes the rest of its batch', async () => {
    const [a, b, c] = await people(3);
    const w = createSwipeWriter(env.db);
    const results = await Promise.allSettled([w.write(a!, b!, 'like'), w.write(a!, 987_654, 'like'), w.write(a!, c!, 'pass')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'NOT_FOUND', message: 'User 987654 was not found.' });
    expect(calls(w)).toEqual({ batches: 1, singles: 0, retried: 0 });
    expect([await kindOf(a!, b!), await kindOf(a!, c!)]).toEqual(['like', 'pass']);
  });

  it('runs a batch that fails as a whole again one swipe at a time', async () => {
    const [a, b, c] = await people(3);
    const w = createSwipeWriter(env.db);
    // A swiper who does not exist (deleted since their token was checked) fails the batch's
    // transaction: the swipes' foreign key.
    const results = await Promise.allSettled([w.write(a!, b!, 'like'), w.write(987_655, c!, 'like'), w.write(c!, a!, 'like')]);
    expect(calls(w)).toEqual({ batches: 1, singles: 0, retried: 1 });
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'UNAUTHORIZED', message: 'This account no longer exists.' });
    expect([await kindOf(a!, b!), await kindOf(c!, a!), await kindOf(987_655, c!)]).toEqual(['like', 'like', undefined]);
  });

  it('runs a batch that lost a deadlock again one swipe at a time', async () => {
    // Ascending ids (people() inserts them concurrently): the batch locks a-b, then c-d.
    const [a, b, c, d] = (await people(4)).sort((x, y) => x - y);
    const w = createSwipeWriter(env.db);
    const holder = await env.db.connect();
    try {
      await holder.query('begin');
      await rows(holder, 'lock_pair', [c, d]);
      const results = Promise.all([w.write(a!, b!, 'like'), w.write(c!, d!, 'like')]);
      await new Promise((r) => setTimeout(r, 200)); // the batch holds a-b and waits for c-d
      // Closing the cycle: Postgres's check (after deadlock_timeout) fails the batch, which waited first.
      await rows(holder, 'lock_pair', [a, b]);
      await holder.query('commit');
      expect((await results).map((r) => r.created)).toEqual([true, true]);
      expect(calls(w)).toEqual({ batches: 1, singles: 0, retried: 1 });
    } finally {
      holder.release();
    }
  });

  it('fails a batch at once, without running it again, when Postgres is out of reach', async () => {
    const away = createPool('postgres://postgres@127.0.0.1:1/none', { max: 2, connectTimeoutMs: 1_000 });
    try {
      const w = createSwipeWriter(away);
      const results = await Promise.allSettled([w.write(1, 2, 'like'), w.write(3, 4, 'like')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNREFUSED' });
      expect(calls(w)).toEqual({ batches: 1, singles: 0, retried: 0 });
    } finally {
      await away.end();
    }
  });

  it('passes on an error other than a missing user as it is', async () => {
    const [a] = await people(1);
    const w = createSwipeWriter(env.db);
    // The route refuses a swipe on yourself before it gets here; Postgres's check refuses it too.
    await expect(w.write(a!, a!, 'like')).rejects.toMatchObject({ code: '23514' });
  });

  it(`keeps at most ${IN_FLIGHT} calls in flight; the swipes arriving meanwhile wait and go out together`, async () => {
    const ids = await people(2 * IN_FLIGHT + 4);
    const w = createSwipeWriter(env.db);
    // Other transactions hold the locks of IN_FLIGHT pairs, so a swipe of each stalls in flight.
    const holders = [];
    const stalled = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      const holder = await env.db.connect();
      await holder.query('begin');
      await rows(holder, 'lock_pair', [ids[2 * i], ids[2 * i + 1]]);
      holders.push(holder);
      stalled.push(w.write(ids[2 * i]!, ids[2 * i + 1]!, 'like'));
      await new Promise((r) => setTimeout(r, 50)); // its own turn, so its own call
    }
    let settled = 0;
    const rest = ids.slice(2 * IN_FLIGHT);
    const waiting = [w.write(rest[0]!, rest[1]!, 'like'), w.write(rest[2]!, rest[3]!, 'like'), w.write(rest[1]!, rest[2]!, 'like')];
    for (const p of waiting) void p.finally(() => settled++);
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(0); // free pairs, yet no call for them while the stalled ones run
    expect(calls(w)).toEqual({ batches: 0, singles: IN_FLIGHT, retried: 0 });
    for (const holder of holders) {
      await holder.query('commit');
      holder.release();
    }
    expect((await Promise.all([...stalled, ...waiting])).every((r) => r.created)).toBe(true);
    expect(calls(w)).toEqual({ batches: 1, singles: IN_FLIGHT, retried: 0 });
  });
});
