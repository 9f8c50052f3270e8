// GET /pool against a brute-force count over the whole database, for every user of a random
// population with swipes and matches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENDERS, genderBit } from '../../shared/genders.js';
import type { Candidate } from '../../shared/matching/types.js';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { type World, eligible, loadWorld } from '../../test/support/feed-oracle.js';
import { randomProfile, randomSwipes, rng } from '../../test/support/population.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

/** Who may not be shown (paused or suspended) and which pairs blocked each other: not in the shared oracle yet. */
let hiddenUsers = new Set<number>();
let blocked = new Set<string>();
const pair = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
const count = (w: World, u: Candidate) =>
  w.users.filter((v) => eligible(w, u, v) && !hiddenUsers.has(v.id) && !blocked.has(pair(u.id, v.id))).length;

/** The contract's pool, by brute force: eligible now, and how many more each widening alone admits. */
function expectedPool(w: World, u: Candidate) {
  const now = count(w, u);
  const genders: Record<string, number> = {};
  for (const g of GENDERS) {
    if ((u.interestMask & genderBit(g)) === 0) genders[g] = count(w, { ...u, interestMask: u.interestMask | genderBit(g) }) - now;
  }
  return {
    user_id: u.id,
    eligible: now,
    widen: {
      age: count(w, { ...u, ageMin: Math.max(18, u.ageMin - 2), ageMax: Math.min(120, u.ageMax + 2) }) - now,
      height: count(w, { ...u, heightMin: Math.max(100, u.heightMin - 5), heightMax: Math.min(250, u.heightMax + 5) }) - now,
      genders,
    },
  };
}

describe('GET /pool', () => {
  it('counts exactly what the rules admit, and what each widening adds', async () => {
    const r = rng(11);
    const users = [];
    for (let i = 0; i < 120; i++) users.push(await t.register(randomProfile(r, i, i % 2 === 0)));
    await randomSwipes(t.db, r, users.map((u) => u.id), 600);
    // Some paused, some blocks either way.
    await t.db.query('update users set visible = false where id % 17 = 0');
    hiddenUsers = new Set((await t.db.query('select id from users where not user_shown(visible, suspended_at)')).rows.map((x) => x.id));
    const world = await loadWorld(t.db);
    // Blocks between people who are eligible for each other, in both directions.
    const pairs = world.users.flatMap((u) => world.users.filter((v) => u.id < v.id && eligible(world, u, v)).map((v) => [u.id, v.id]));
    for (const [i, [a, b]] of pairs.filter((_, i) => i % 7 === 0).entries()) {
      await t.db.query('insert into blocks (blocker_id, blocked_id) values ($1, $2)', i % 2 ? [a, b] : [b, a]);
    }
    blocked = new Set((await t.db.query('select blocker_id, blocked_id from blocks')).rows.map((x) => pair(x.blocker_id, x.blocked_id)));
    expect(blocked.size).toBeGreaterThan(10);
    let widened = 0;
    for (const u of users) {
      const res = await t.call('GET', `/pool/${u.id}`, { token: u.token });
      expect(res.status).toBe(200);
      const want = expectedPool(world, world.users.find((w) => w.id === u.id)!);
      expect(res.body, `user ${u.id}`).toEqual(want);
      if (want.widen.age + want.widen.height > 0) widened++;
    }
    expect(widened).toBeGreaterThan(10); // the widenings were exercised, not only zeros
  });

  it('needs that user’s token', async () => {
    const me = await t.register();
    expect((await t.call('GET', `/pool/${me.id}`)).status).toBe(401);
    expect((await t.call('GET', `/pool/${me.id + 1}`, { token: me.token })).status).toBe(403);
    // A token for a user who does not exist is no valid token (as on every route).
    const ghost = await t.call('GET', '/pool/888888', { token: await t.tokenFor(888888) });
    expect(ghost.status).toBe(401);
    expect(ghost.body.error.code).toBe('UNAUTHORIZED');
    expect((await t.call('GET', '/pool/abc', { token: me.token })).status).toBe(400);
  });
});
