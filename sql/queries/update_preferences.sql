-- $1 user id, $2 preferred_age_min, $3 preferred_age_max, $4 preferred_height_min,
-- $5 preferred_height_max, $6 interested_in, $7 interests (the merged, complete new values)
update users
set preferred_age_min = $2, preferred_age_max = $3, preferred_height_min = $4, preferred_height_max = $5,
    interested_in = $6, interests = $7, updated_at = now()
where id = $1
returning id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
          preferred_height_min, preferred_height_max, bio, interests, created_at, updated_at;
