-- $1 user ids (int[]), $2 their reach in parts per million (int[], same order), counted now for a
-- new or changed profile: what the ranking uses from now on (a count a rebuild left waiting, made
-- with the old profile, is dropped). Users deleted meanwhile are skipped.
insert into swipe_counts (user_id, reach_ppm)
select r.id, r.ppm from unnest($1::int[], $2::int[]) as r(id, ppm) join users u on u.id = r.id
on conflict (user_id) do update set reach_ppm = excluded.reach_ppm, reach_next = null
