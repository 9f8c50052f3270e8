// Reach as stored (sql/migrations/0010_reach.sql): counted against the live index when a profile is
// registered or its preferences change; counted again by each full rebuild, which ranks with the
// stored value and leaves its count for the next rebuild to move in. The counting itself is
// shared/matching/reach.test.ts's; this is about what is stored when.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { inProcessWorkers, waitForRebuild } from '../test/support/workers.js';
import { newProfileSchema } from './profile.js';
import { startRebuild } from './rebuild.js';
import { foldSwipeCounts } from './swipe-counts.js';
import { insertUser } from './users.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

const stored = async (id: number) =>
  (await t.db.query('select reach_ppm, reach_next from swipe_counts where user_id = $1', [id])).rows[0] ?? { reach_ppm: null, reach_next: null };

describe('reach', () => {
  it('is stored with a new profile and with changed preferences, and a rebuild count replaces it only at the next rebuild', async () => {
    // Four women of 30, 165 cm, who want men of 25-35 and 150-200 cm; one only men of 190 cm or more.
    const woman = { name: 'W', age: 30, height: 165, gender: 'woman', interested_in: ['man'], preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 200 };
    const women: number[] = [];
    for (const heightMin of [150, 150, 150, 190]) women.push((await insertUser(t.db, newProfileSchema.parse({ ...woman, preferred_height_min: heightMin }))).id);
    await t.deps.live.ready(); // the index holds the four
    for (const w of women) expect(await stored(w)).toEqual({ reach_ppm: null, reach_next: null }); // loaded in bulk: not counted yet

    // A man of 30, 180 cm, who wants women of 25-35: mutual with three of the four.
    const man = await t.register({ name: 'M', age: 30, height: 180, gender: 'man', interested_in: ['woman'], preferred_age_min: 25, preferred_age_max: 35, preferred_height_min: 150, preferred_height_max: 200 });
    expect(await stored(man.id)).toEqual({ reach_ppm: 750_000, reach_next: null });
    // Women of 31-35 only: nobody, which is the least reach a count gives.
    const narrowed = await t.call('PUT', `/update_preferences/${man.id}`, { token: man.token, body: { preferred_age_min: 31 } });
    expect(narrowed.status).toBe(200);
    expect(await stored(man.id)).toEqual({ reach_ppm: 1, reach_next: null });

    // Widened again behind the API's back: the stored reach is stale until a rebuild counts it.
    await t.db.query('update users set preferred_age_min = 25 where id = $1', [man.id]);
    const workers = inProcessWorkers(t.config, t.db, t.deps.queues);
    try {
      expect((await waitForRebuild(t.deps.queues, await startRebuild(t.db, t.deps.queues, 2, 'test'))).state).toBe('completed');
      // Counted against the five, left for the next rebuild; what was ranked with is unchanged.
      expect(await stored(man.id)).toEqual({ reach_ppm: 1, reach_next: 750_000 });
      expect(await stored(women[0]!)).toEqual({ reach_ppm: null, reach_next: 250_000 });
      expect(await stored(women[3]!)).toEqual({ reach_ppm: null, reach_next: 1 });
      // A second rebuild moves the counts in before it reads anyone (and finds nothing new to leave).
      expect((await waitForRebuild(t.deps.queues, await startRebuild(t.db, t.deps.queues, 2, 'test'))).state).toBe('completed');
      expect(await stored(man.id)).toEqual({ reach_ppm: 750_000, reach_next: null });
      expect(await stored(women[0]!)).toEqual({ reach_ppm: 250_000, reach_next: null });
    } finally {
      await workers.close();
    }

    // A count left waiting is dropped when the user changes their preferences: it was made with the old ones.
    await t.db.query('update swipe_counts set reach_next = 250000 where user_id = $1', [man.id]);
    expect((await t.call('PUT', `/update_preferences/${man.id}`, { token: man.token, body: { preferred_height_max: 170 } })).status).toBe(200);
    expect(await stored(man.id)).toEqual({ reach_ppm: 750_000, reach_next: null });
    await foldSwipeCounts(t.db);
    expect(await stored(man.id)).toEqual({ reach_ppm: 750_000, reach_next: null });
  });
});
