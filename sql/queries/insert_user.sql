-- $1 name, $2 age, $3 height, $4 gender, $5 interested_in, $6 preferred_age_min, $7 preferred_age_max,
-- $8 preferred_height_min, $9 preferred_height_max, $10 bio, $11 interests (text[], normalised),
-- $12 reach in parts per million (shared/matching/reach.ts; null: left to the next rebuild), kept
-- with the counters in the same statement.
with u as (
  insert into users (name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
                     preferred_height_min, preferred_height_max, bio, interests)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  returning id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
            preferred_height_min, preferred_height_max, bio, interests, created_at, updated_at
),
reach as (insert into swipe_counts (user_id, reach_ppm) select id, $12::int from u where $12::int is not null)
select * from u
