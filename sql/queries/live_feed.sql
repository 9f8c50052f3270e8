-- The live feed: the top $2 users eligible for user $1 right now, by the contract's rules, scored
-- as shared/matching/score.ts does: $3 = SCORE_BASE, $4 = LIKED_YOU_BONUS.
-- For each gender $1 is open to, a nearest-neighbour scan of users_feed_point_idx inside the box
-- "that gender, within $1's age and height ranges", ordered by fit distance; the reverse ranges,
-- genders and swipes are filters on that scan. People who liked $1 get the bonus, so they are
-- also taken from their own (small) scan; the union holds the true top $2 (README: "How matching works").
with me as (
  select id, age, height, gender_bit, interest_mask,
         preferred_age_min as amin, preferred_age_max as amax,
         preferred_height_min as hmin, preferred_height_max as hmax
  from users where id = $1
),
nearest as (
  select c.id, c.dist
  from me
  cross join unnest('{1,2,4,8}'::smallint[]) as g (bit)
  cross join lateral (
    select v.id,
           v.feed_point <#> cube(array[g.bit, 5 * (me.amin + me.amax), 2 * (me.hmin + me.hmax),
                                       10 * me.age, 4 * me.height]::float8[]) as dist
    from users v
    where v.feed_point <@ cube(array[g.bit, 10 * me.amin, 4 * me.hmin, -1e9, -1e9]::float8[],
                               array[g.bit, 10 * me.amax, 4 * me.hmax, 1e9, 1e9]::float8[])
      and me.age between v.preferred_age_min and v.preferred_age_max
      and me.height between v.preferred_height_min and v.preferred_height_max
      and (v.interest_mask & me.gender_bit) <> 0
      and v.id <> $1
      and v.id not in (select swipee_id from swipes where swiper_id = $1)
      and v.id not in (select swiper_id from swipes where swipee_id = $1 and kind = 'pass')
    order by dist, v.id
    limit $2
  ) c
  where (me.interest_mask & g.bit) <> 0
),
likers as (
  select v.id,
         v.feed_point <#> cube(array[v.gender_bit, 5 * (me.amin + me.amax), 2 * (me.hmin + me.hmax),
                                     10 * me.age, 4 * me.height]::float8[]) as dist
  from me
  join swipes s on s.swipee_id = me.id and s.kind = 'like'
  join users v on v.id = s.swiper_id
  where v.age between me.amin and me.amax
    and v.height between me.hmin and me.hmax
    and me.age between v.preferred_age_min and v.preferred_age_max
    and me.height between v.preferred_height_min and v.preferred_height_max
    and (me.interest_mask & v.gender_bit) <> 0
    and (v.interest_mask & me.gender_bit) <> 0
    and v.id not in (select swipee_id from swipes where swiper_id = $1)
  order by dist, v.id
  limit $2
),
ranked as (
  select id, max(score) as score
  from (
    select n.id, $3::int - n.dist::int
           + case when exists (select 1 from swipes l where l.swiper_id = n.id and l.swipee_id = $1 and l.kind = 'like')
                  then $4::int else 0 end as score
    from nearest n
    union all
    select l.id, $3::int - l.dist::int + $4::int from likers l
  ) r
  group by id
  order by score desc, id
  limit $2
)
select u.id, u.name, u.age, u.height, u.gender, u.bio, r.score
from ranked r join users u on u.id = r.id
order by r.score desc, r.id;
