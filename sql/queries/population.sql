-- No parameters. Every user others may be shown, as matching needs them (streamed with COPY).
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max
from users
where user_shown(visible, suspended_at)
