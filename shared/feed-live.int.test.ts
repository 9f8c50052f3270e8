// The live query against the brute-force oracle: exactly the same users, scores and order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../test/support/env.js';
import { expectedPage, loadWorld } from '../test/support/feed-oracle.js';
import { randomProfile, randomSwipes, rng } from '../test/support/population.js';
import { liveFeed } from './feed-live.js';
import { insertUser } from './users.js';
import { newProfileSchema } from './profile.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

describe('liveFeed', () => {
  it.each([1, 2, 3, 4])('equals the oracle for every user and limit (seed %i)', async (seed) => {
    const r = rng(seed);
    await env.db.query('truncate users cascade');
    const ids: number[] = [];
    for (let i = 0; i < 150; i++) ids.push((await insertUser(env.db, newProfileSchema.parse(randomProfile(r, i)))).id);
    await randomSwipes(env.db, r, ids, 800);
    const world = await loadWorld(env.db);
    for (const u of world.users) {
      for (const limit of [1, 1 + Math.floor(r() * 40), 100]) {
        const got = (await liveFeed(env.db, u.id, limit)).map((c) => ({ id: c.id, score: c.score }));
        expect(got, `user ${u.id}, limit ${limit}`).toEqual(expectedPage(world, u, limit));
      }
    }
  });
});
