-- No parameters. Every user, for a full rebuild read once per worker process: what the matching
-- engine needs (columns as in shared/candidates.ts), then what their cards need (name, bio), their
-- version and whether others may be shown them. Paused and suspended users keep their own feed.
select u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
       u.preferred_height_min, u.preferred_height_max,
       coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
       coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
       greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
       greatest(0, floor(extract(epoch from now() - coalesce(c.last_swiped_on, u.created_at)) / 86400))::int as idle_days,
       coalesce(c.reach_ppm, 0) as reach,
       array_to_json(u.interests)::text as interests,
       u.name, u.bio, u.version, user_shown(u.visible, u.suspended_at)
from users u left join swipe_counts c on c.user_id = u.id
