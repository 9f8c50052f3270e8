-- $1 user id: the profile, locked until the transaction ends (read-modify-write of preferences).
select id, name, age, height, gender, interested_in, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max, bio, interests, created_at, updated_at
from users where id = $1
for update;
