-- $1 user ids (int[]), $2 their reach in parts per million (int[], same order), as a rebuild counted
-- it: left in reach_next for the next rebuild to move in (promote_reach.sql), so that the lists this
-- one writes agree with reach_ppm. Users deleted meanwhile are skipped.
insert into swipe_counts (user_id, reach_next)
select r.id, r.ppm from unnest($1::int[], $2::int[]) as r(id, ppm) join users u on u.id = r.id
on conflict (user_id) do update set reach_next = excluded.reach_next
