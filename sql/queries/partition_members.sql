-- $1 gender bit, ($2 age, $3 height) .. ($4 age, $5 height): the users of one rebuild partition,
-- with what their cards and the matching engine need. Integers only: inlined for COPY. Paused and
-- suspended users are members too: they keep their own feed.
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max, name, gender, interested_in, bio,
       version, user_shown(visible, suspended_at)
from users
where gender_bit = $1 and (age, height) >= ($2, $3) and (age, height) <= ($4, $5)
