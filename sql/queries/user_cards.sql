-- $1 user ids (int[]): their profiles with version and whether others may be shown them (for cards).
select id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max, bio, created_at, updated_at,
       version, user_shown(visible, suspended_at) as shown
from users where id = any($1::int[]);
