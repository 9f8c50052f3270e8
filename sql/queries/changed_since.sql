-- $1 watermark (xid8), $2 $3 keyset: after (change_xid, id), $4 batch size. Users changed by a
-- transaction at or above the watermark, and users erased so, in (change_xid, id) order; `shown`
-- false (or `present` false, for the erased) means they must leave every index. The candidate
-- columns are as in shared/candidates.ts.
select c.*
from (
  select u.change_xid::text as change_xid, true as present, user_shown(u.visible, u.suspended_at) as shown,
         u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
         u.preferred_height_min, u.preferred_height_max,
         coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
         coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
         greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
         greatest(0, floor(extract(epoch from now() - coalesce(c.last_swiped_on, u.created_at)) / 86400))::int as idle_days,
         array_to_json(u.interests)::text as interests
  from users u left join swipe_counts c on c.user_id = u.id
  where u.change_xid >= $1::xid8 and (u.change_xid, u.id) > ($2::xid8, $3::int)
  union all
  select e.change_xid::text, false, false, e.id, null, null, null, null, null, null, null, null,
         null, null, null, null, null, null, null
  from erased_users e where e.change_xid >= $1::xid8 and (e.change_xid, e.id) > ($2::xid8, $3::int)
) c
order by c.change_xid::xid8, c.id
limit $4;
