-- $1: at most this many deltas. Moves pending deltas into swipe_counts in one statement; returns how
-- many counter rows it wrote and how many deltas it moved. foldSwipeCounts repeats it until one moves
-- fewer than $1: a day's swipes at scale are tens of millions of deltas, which one statement could not
-- fold inside the statement timeout (the rebuild then failed before it began). Two folds at once
-- cannot count a delta twice: the second waits for the first's deletes and then skips those rows.
-- last_swiped_on: the latest delta that someone swiped on the user (received counts changed).
with moved as (
  delete from swipe_count_deltas
  where ctid = any (array(select ctid from swipe_count_deltas limit $1))
  returning user_id, likes_given, passes_given, likes_received, passes_received, at
),
sums as (
  select user_id, sum(likes_given)::int as lg, sum(passes_given)::int as pg,
         sum(likes_received)::int as lr, sum(passes_received)::int as pr,
         max(at) filter (where likes_received <> 0 or passes_received <> 0) as seen
  from moved group by user_id
),
folded as (
  insert into swipe_counts (user_id, likes_given, passes_given, likes_received, passes_received, last_swiped_on)
  select s.user_id, s.lg, s.pg, s.lr, s.pr, s.seen from sums s join users u on u.id = s.user_id
  on conflict (user_id) do update set
    likes_given = swipe_counts.likes_given + excluded.likes_given,
    passes_given = swipe_counts.passes_given + excluded.passes_given,
    likes_received = swipe_counts.likes_received + excluded.likes_received,
    passes_received = swipe_counts.passes_received + excluded.passes_received,
    last_swiped_on = greatest(swipe_counts.last_swiped_on, excluded.last_swiped_on)
  returning 1
)
select (select count(*) from folded)::int as users, (select count(*) from moved)::int as deltas;
