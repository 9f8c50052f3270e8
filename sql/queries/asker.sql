-- $1 user id: the asker as matching needs them, with the xmin of this statement's snapshot (every
-- transaction below it is reflected here), whom they must never see again (their own swipes and
-- blocks either way), who passed on them and who liked them. No row when the user does not exist.
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max, version,
       pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
       array(select swipee_id from swipes where swiper_id = $1
             union all select blocked_id from blocks where blocker_id = $1
             union all select blocker_id from blocks where blocked_id = $1) as excluded,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'pass') as passed_me,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'like') as liked_me
from users where id = $1;
