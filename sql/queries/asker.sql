-- $1 user id: the asker as matching needs them, everyone they swiped on, who passed on them and
-- who liked them. No row when the user does not exist.
select u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
       u.preferred_height_min, u.preferred_height_max,
       coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
       coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
       greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
       array_to_json(u.interests)::text as interests,
       array(select swipee_id from swipes where swiper_id = $1) as swiped,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'pass') as passed_me,
       array(select swiper_id from swipes where swipee_id = $1 and kind = 'like') as liked_me
from users u left join swipe_counts c on c.user_id = u.id
where u.id = $1;
