-- $1 gender bit, ($2 age, $3 height) .. ($4 age, $5 height): the users of one rebuild partition,
-- with what the matching engine needs (columns as in shared/candidates.ts), then what their cards
-- need (name, gender, interested_in, bio), their version and whether others may be shown them.
-- Integers only: inlined for COPY. Paused and suspended users are members too: they keep their own feed.
select u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
       u.preferred_height_min, u.preferred_height_max,
       coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
       coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
       greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
       array_to_json(u.interests)::text as interests,
       u.name, u.gender, u.interested_in, u.bio,
       u.version, user_shown(u.visible, u.suspended_at)
from users u left join swipe_counts c on c.user_id = u.id
where u.gender_bit = $1 and (u.age, u.height) >= ($2, $3) and (u.age, u.height) <= ($4, $5)
