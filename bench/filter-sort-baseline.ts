// The query a team would otherwise write (bench only, not a product query): every mutual candidate
// found through a covering btree, filtered by both users' ranges, genders and swipes (NOT IN, which
// PERFORMANCE.md found far faster than NOT EXISTS), then all of them scored and sorted.
import { type Pool, query } from '../shared/db.js';
import { PREFERENCE_ONLY, SCORE_BASE } from '../shared/matching/score.js';

// The baseline ranks by fit and likes only: the preference-only score (score.ts), as before learning.
const LIKED_YOU_BONUS = PREFERENCE_ONLY.likedYouBonus;
import { type Latency, type Row, int, latency, ratio, spread } from './stats.js';

// $1 = the asker, $2 = the page size, $3 = SCORE_BASE, $4 = LIKED_YOU_BONUS. The score is
// shared/matching/score.ts written out; ties go to the smaller id, as on every other path.
export const FILTER_THEN_SORT = `
with me as (
  select id, age, height, gender_bit, interest_mask,
         preferred_age_min as amin, preferred_age_max as amax,
         preferred_height_min as hmin, preferred_height_max as hmax
  from users where id = $1
),
scored as (
  select v.id,
         $3::int - (5 * abs(2 * v.age - (me.amin + me.amax)) + 2 * abs(2 * v.height - (me.hmin + me.hmax))
                  + 5 * abs(2 * me.age - (v.preferred_age_min + v.preferred_age_max))
                  + 2 * abs(2 * me.height - (v.preferred_height_min + v.preferred_height_max)))
         + case when v.id in (select swiper_id from swipes where swipee_id = $1 and kind = 'like') then $4::int else 0 end as score
  from me
  cross join unnest('{1,2,4,8}'::smallint[]) as g (bit)
  join users v on v.gender_bit = g.bit
              and v.age between me.amin and me.amax
              and v.height between me.hmin and me.hmax
  where (me.interest_mask & g.bit) <> 0
    and me.age between v.preferred_age_min and v.preferred_age_max
    and me.height between v.preferred_height_min and v.preferred_height_max
    and (v.interest_mask & me.gender_bit) <> 0
    and v.id <> $1
    and v.id not in (select swipee_id from swipes where swiper_id = $1)
    and v.id not in (select swiper_id from swipes where swipee_id = $1 and kind = 'pass')
  order by score desc, v.id
  limit $2
)
select u.id, u.name, u.age, u.height, u.gender, u.bio, s.score
from scored s join users u on u.id = s.id
order by s.score desc, s.id`;

// Covers every column the filter and the score read, so candidates come from an index-only scan.
const COVERING_INDEX = `create index if not exists bench_users_filter_idx on users (gender_bit, age, height)
  include (id, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max, interest_mask)`;

export interface Compare {
  liveMedianMs: number;
  /** feed.page() of the cached feed, sequential, no HTTP: the like-for-like read. */
  cachedMedianMs: number;
}

export async function benchFilterThenSort(db: Pool, userIds: number[], topIds: Map<number, number[]>, maxSeconds: number, cmp: Compare): Promise<Row[]> {
  await query(db, COVERING_INDEX);
  await query(db, 'vacuum analyze users'); // visibility map, so the index-only scan stays index-only
  for (const id of userIds.slice(0, 20)) await query(db, FILTER_THEN_SORT, [id, 20, SCORE_BASE, LIKED_YOU_BONUS]);

  const times: number[] = [];
  let differ = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  for (const id of userIds) {
    if (performance.now() > deadline) break;
    const t0 = performance.now();
    const { rows } = await query<{ id: number }>(db, FILTER_THEN_SORT, [id, 20, SCORE_BASE, LIKED_YOU_BONUS]);
    times.push(performance.now() - t0);
    const live = topIds.get(id);
    if (live && live.join() !== rows.map((r) => r.id).join()) differ++;
  }
  const l: Latency = latency(times);
  return [
    {
      name: 'baseline SQL: filter then sort, covering btree',
      value: `${l.p50.toFixed(2)} ms median`,
      note: `p50/p90/p99/max ${spread(l, true)}; ${int(l.n)} users (PERFORMANCE.md, 1M users: 26 / 43 ms)`,
    },
    {
      name: 'baseline SQL: same top 20 as the live path',
      value: `${int(l.n - differ)} of ${int(l.n)}`,
      note: differ ? `${int(differ)} pages DIFFER` : 'identical pages',
    },
    { name: 'baseline / live SQL (median)', value: ratio(l.p50, cmp.liveMedianMs) },
    { name: 'baseline SQL / cached read (median)', value: ratio(l.p50, cmp.cachedMedianMs), note: 'both sequential, no HTTP' },
  ];
}
