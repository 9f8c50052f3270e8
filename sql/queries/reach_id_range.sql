-- No parameters. The ids promote_reach walks: the lowest and highest with a counter row (pkey ends).
select min(user_id) as lo, max(user_id) as hi from swipe_counts
