-- No parameters. Recomputes every user's counters from the swipes table and drops the pending
-- deltas: after a bulk load (which writes swipes without deltas), or to repair. Run it in a
-- repeatable-read transaction, so the swipes counted and the deltas dropped are the same snapshot.
with cleared as (delete from swipe_count_deltas),
counts as (
  select user_id, sum(lg)::int as lg, sum(pg)::int as pg, sum(lr)::int as lr, sum(pr)::int as pr, max(seen) as seen
  from (
    select swiper_id as user_id, (kind = 'like')::int as lg, (kind = 'pass')::int as pg, 0 as lr, 0 as pr, null::timestamptz as seen from swipes
    union all
    select swipee_id, 0, 0, (kind = 'like')::int, (kind = 'pass')::int, updated_at from swipes
  ) s
  group by user_id
)
insert into swipe_counts (user_id, likes_given, passes_given, likes_received, passes_received, last_swiped_on)
select u.id, coalesce(c.lg, 0), coalesce(c.pg, 0), coalesce(c.lr, 0), coalesce(c.pr, 0), c.seen
from users u left join counts c on c.user_id = u.id
on conflict (user_id) do update set
  likes_given = excluded.likes_given, passes_given = excluded.passes_given,
  likes_received = excluded.likes_received, passes_received = excluded.passes_received,
  last_swiped_on = excluded.last_swiped_on;
