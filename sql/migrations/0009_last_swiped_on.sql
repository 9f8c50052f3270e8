-- The ranking's recency signal (docs/ALGORITHM.md, the idle lift): when someone last swiped on each
-- user. Deltas carry their time (a default, so the swipe function is unchanged), and the fold keeps
-- the latest received one; counting stays insert-only.
alter table swipe_count_deltas add column at timestamptz not null default now();
alter table swipe_counts add column last_swiped_on timestamptz;
update swipe_counts c set last_swiped_on = s.at
from (select swipee_id, max(updated_at) as at from swipes group by swipee_id) s
where s.swipee_id = c.user_id;
