-- $1 user id: the asker as matching needs them, everyone they swiped on, who passed on them and
-- who liked them. No row when the user does not exist.
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max,
       array(select swipee_id from swipes where swiper_id = $1) as swiped,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'pass') as passed_me,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'like') as liked_me
from users where id = $1;
