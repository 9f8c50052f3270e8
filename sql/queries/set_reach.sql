-- $1 user id, $2 their reach in parts per million, counted now for their new or changed profile (in
-- the transaction that holds their row): what the ranking uses from now on. A count a rebuild left
-- waiting was made with the old profile, so it is dropped.
insert into swipe_counts (user_id, reach_ppm) values ($1, $2)
on conflict (user_id) do update set reach_ppm = excluded.reach_ppm, reach_next = null
