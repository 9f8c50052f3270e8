-- No parameters. Every user, as matching needs them (streamed with COPY).
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max
from users
