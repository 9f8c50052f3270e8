-- $1 swiper, $2 swipee, $3 the swipe's kind now ('like' | 'pass'), $4 true when the swipe is new
-- (false: it replaced the other kind). Appends the counters' deltas for both users (no row locks).
with d as (
  select case when $3::swipe_kind = 'like' then 1 when $4::boolean then 0 else -1 end as likes,
         case when $3::swipe_kind = 'pass' then 1 when $4::boolean then 0 else -1 end as passes
)
insert into swipe_count_deltas (user_id, likes_given, passes_given, likes_received, passes_received)
select $1::int, likes, passes, 0, 0 from d
union all
select $2::int, 0, 0, likes, passes from d;
