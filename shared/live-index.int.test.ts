// The live path against the brute-force oracle: exactly the same users, scores and order, also
// right after profiles and swipes change under an index that was loaded earlier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { expectedPage, loadWorld } from '../test/support/feed-oracle.js';
import { type Rng, randomProfile, randomSwipes, rng } from '../test/support/population.js';
import { liveFeed } from './feed-live.js';
import { BULK_LOADED, LiveIndex } from './live-index.js';
import { newProfileSchema } from './profile.js';
import { insertUser, updatePreferences } from './users.js';
import { recountSwipeCounts } from './swipe-counts.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

async function populate(r: Rng, n: number) {
  await env.db.query('truncate users cascade');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await insertUser(env.db, newProfileSchema.parse(randomProfile(r, i)))).id);
  await randomSwipes(env.db, r, ids, n * 5);
  // Counters from those swipes (written without deltas), and interests, so the ranking's signals differ between users.
  await env.db.query(`update users set interests = case id % 4 when 0 then '{hiking,jazz}'::text[] when 1 then '{jazz}' when 2 then '{chess,films,hiking}' end`);
  await recountSwipeCounts(env.db);
  // Older than the live path's re-read window, so a fresh index answers from its own rows.
  await env.db.query(`update users set updated_at = now() - interval '1 minute', created_at = now() - interval '1 minute'`);
  return ids;
}

async function expectOracle(live: LiveIndex, r: Rng, what: string) {
  const world = await loadWorld(env.db);
  for (const u of world.users) {
    for (const limit of [1 + Math.floor(r() * 40), 100]) {
      const got = (await liveFeed(live, u.id, limit))!.map((c) => ({ id: c.id, score: c.score }));
      expect(got, `${what}: user ${u.id}, limit ${limit}`).toEqual(expectedPage(world, u, limit));
    }
  }
}

describe('live index', () => {
  it.each([1, 2, 3])('equals the oracle for every user and limit (seed %i)', async (seed) => {
    const r = rng(seed);
    await populate(r, 150);
    const live = new LiveIndex(env.db, { pollMs: 60_000 });
    try {
      await expectOracle(live, r, 'fresh index');
    } finally {
      live.stop();
    }
  });

  it('stays exact while users join, change preferences and swipe after it was loaded', async () => {
    const r = rng(42);
    const ids = await populate(r, 120);
    // A poll that never comes and a rebuild threshold never reached: only the per-request delta can help.
    const live = new LiveIndex(env.db, { pollMs: 60_000 });
    try {
      await live.ready();
      for (let i = 0; i < 30; i++) ids.push((await insertUser(env.db, newProfileSchema.parse(randomProfile(r, 1000 + i)))).id);
      for (const id of ids.slice(0, 40)) {
        const p = randomProfile(r, id);
        await updatePreferences(env.db, id, {
          preferred_age_min: p.preferred_age_min,
          preferred_age_max: p.preferred_age_max,
          interested_in: 'interested_in' in p ? p.interested_in : null,
        });
      }
      await randomSwipes(env.db, r, ids, 300);
      await expectOracle(live, r, 'after changes');
    } finally {
      live.stop();
    }
  });

  it('folds changes in by polling, and rebuilds itself once enough changed', async () => {
    const r = rng(9);
    const ids = await populate(r, 80);
    const live = new LiveIndex(env.db, { pollMs: 20, rebuildAt: 10 });
    try {
      await live.ready();
      for (let i = 0; i < 25; i++) ids.push((await insertUser(env.db, newProfileSchema.parse(randomProfile(r, 2000 + i)))).id);
      await new Promise((done) => setTimeout(done, 300));
      await expectOracle(live, r, 'after polls and a rebuild');
    } finally {
      live.stop();
    }
  });

  it('sees a change whose transaction stayed open across many polls', async () => {
    const r = rng(5);
    await populate(r, 40);
    const live = new LiveIndex(env.db, { pollMs: 20 });
    const tx = await env.db.connect();
    try {
      await live.ready();
      const asker = (await env.db.query('select id from users order by id limit 1')).rows[0].id;
      await env.db.query(`update users set interested_in = null, preferred_age_min = 18, preferred_age_max = 120,
        preferred_height_min = 100, preferred_height_max = 250 where id = $1`, [asker]);
      // A write transaction that starts now and commits only after many polls (a clock-based
      // capture with a fixed overlap misses it: its rows carry its start time).
      await tx.query('begin');
      const late = (await tx.query(`insert into users (name, age, height, preferred_age_min, preferred_age_max,
        preferred_height_min, preferred_height_max) values ('Late', 30, 170, 18, 120, 100, 250) returning id`)).rows[0];
      await new Promise((done) => setTimeout(done, 300));
      expect((await liveFeed(live, asker, 100))!.map((c) => c.id)).not.toContain(late.id);
      await tx.query('commit');
      // Past the request-time read too: only the polls' delta can have it now.
      await new Promise((done) => setTimeout(done, 300));
      expect((live as any).snap.delta.has(late.id)).toBe(true);
      expect((await liveFeed(live, asker, 100))!.map((c) => c.id)).toContain(late.id);
    } finally {
      tx.release();
      live.stop();
    }
  });

  it('swaps in a fresh index after a load larger than it folds in, and serves meanwhile', async () => {
    const r = rng(6);
    await populate(r, 40);
    const live = new LiveIndex(env.db, { pollMs: 20, rebuildAt: 50 });
    try {
      const first = await live.ready();
      const asker = (await env.db.query('select id from users order by id limit 1')).rows[0].id;
      await env.db.query(`update users set interested_in = null, preferred_age_min = 18, preferred_age_max = 120,
        preferred_height_min = 100, preferred_height_max = 250 where id = $1`, [asker]);
      await env.db.query(`insert into users (name, age, height, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
        select 'Bulk ' || i, 30, 170, 18, 120, 100, 250 from generate_series(1, 300) i`);
      await expect.poll(() => (live as any).snap !== first, { timeout: 5_000 }).toBe(true);
      expect((live as any).snap.delta.size).toBe(0);
      await expectOracle(live, r, 'after the swap');
    } finally {
      live.stop();
    }
  });

  it('keeps the delta short while a small population fills up: it reloads past 1,000 changes, not 20,000', async () => {
    const r = rng(8);
    await populate(r, 40);
    const live = new LiveIndex(env.db, { pollMs: 20 });
    try {
      const first = await live.ready();
      // Committed in steps a poll folds in, as registrations arrive during a bulk load.
      for (let step = 0; step < 6; step++) {
        await env.db.query(`insert into users (name, age, height, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
          select 'Step ' || i, 30, 170, 18, 120, 100, 250 from generate_series(1, 300) i`);
        await new Promise((done) => setTimeout(done, 100));
      }
      await expect.poll(() => (live as any).snap !== first, { timeout: 5_000 }).toBe(true);
      expect((live as any).snap.delta.size).toBeLessThan(1_000);
    } finally {
      live.stop();
    }
  });

  it('reloads at once when a bulk load says it committed', async () => {
    const r = rng(7);
    await populate(r, 20);
    const live = new LiveIndex(env.db, { pollMs: 60_000 });
    try {
      const first = await live.ready();
      // LISTEN starts on its own connection just after the load: notify until it hears.
      await expect.poll(async () => {
        await env.db.query(`select pg_notify($1, '')`, [BULK_LOADED]);
        return (live as any).snap !== first;
      }, { timeout: 5_000 }).toBe(true);
    } finally {
      live.stop();
    }
  });

  it('retries a failed first load, with backoff, until it succeeds', async () => {
    const failing = { connect: () => Promise.reject(new Error('postgres is away')) } as any;
    const errors: unknown[] = [];
    const live = new LiveIndex(failing, { onError: (e) => errors.push(e) });
    try {
      await expect(live.ready()).rejects.toThrow('postgres is away');
      // Postgres comes back: the retry (not a request) loads the index.
      (live as any).db = env.db;
      await expect.poll(() => live.loaded, { timeout: 5_000 }).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      live.stop();
    }
  });

  it('says when a user does not exist', async () => {
    const live = new LiveIndex(env.db);
    try {
      expect(await liveFeed(live, 987654, 5)).toBeUndefined();
    } finally {
      live.stop();
    }
  });
});
