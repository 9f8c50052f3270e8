-- No parameters. Before a full rebuild reads anyone: the reach the previous one counted becomes the
-- one every path ranks with. Returns how many users' reach changed.
with moved as (
  update swipe_counts set reach_ppm = reach_next, reach_next = null
  where reach_next is not null
  returning reach_ppm
)
select count(*)::int as users from moved
