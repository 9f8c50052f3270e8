-- $1, $2: user ids from $1 to $2. Before a full rebuild reads anyone: the reach the
-- previous one counted becomes the one every path ranks with. Returns how many users' reach changed.
-- foldSwipeCounts walks the ids a range a statement: the first rebuild after a bulk load counts
-- everyone's reach, and moving 2M users' in one statement ran past the statement timeout (issue 7).
with moved as (
  update swipe_counts set reach_ppm = reach_next, reach_next = null
  where user_id between $1 and $2 and reach_next is not null
  returning 1
)
select count(*)::int as users from moved
