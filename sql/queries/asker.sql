-- $1 user id: the asker as matching needs them (columns as in shared/candidates.ts), with the xmin
-- of this statement's snapshot (every transaction below it is reflected here), whom they must never
-- see again (their own swipes and blocks either way), who passed on them and who liked them. No row
-- when the user does not exist.
select u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
       u.preferred_height_min, u.preferred_height_max,
       coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
       coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
       greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
       greatest(0, floor(extract(epoch from now() - coalesce(c.last_swiped_on, u.created_at)) / 86400))::int as idle_days,
       array_to_json(u.interests)::text as interests,
       u.version,
       pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
       array(select swipee_id from swipes where swiper_id = $1
             union all select blocked_id from blocks where blocker_id = $1
             union all select blocker_id from blocks where blocked_id = $1) as excluded,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'pass') as passed_me,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'like') as liked_me
from users u left join swipe_counts c on c.user_id = u.id
where u.id = $1;
