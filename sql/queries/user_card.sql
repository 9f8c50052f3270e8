-- $1 user id: the profile with its version and whether others may be shown it (for its card).
select id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max, bio, interests, created_at, updated_at,
       version, user_shown(visible, suspended_at) as shown
from users where id = $1;
