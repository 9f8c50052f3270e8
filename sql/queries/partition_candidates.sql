-- Everyone who could be eligible for some member of a partition: shown to others, inside the union
-- of the members' ranges ($1..$2 age, $3..$4 height), of a gender some member wants ($5 mask),
-- wanting the members' gender ($6 bit), and whose own ranges reach the members' ages $7..$8 and
-- heights $9..$10. Columns as in shared/candidates.ts.
select u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
       u.preferred_height_min, u.preferred_height_max,
       coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
       coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
       greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
       array_to_json(u.interests)::text as interests
from users u left join swipe_counts c on c.user_id = u.id
where u.age between $1 and $2 and u.height between $3 and $4
  and (u.gender_bit & $5) <> 0 and (u.interest_mask & $6) <> 0
  and u.preferred_age_min <= $8 and u.preferred_age_max >= $7
  and u.preferred_height_min <= $10 and u.preferred_height_max >= $9
  and user_shown(u.visible, u.suspended_at)
