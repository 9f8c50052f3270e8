-- $1 watermark (xid8), $2 $3 keyset: after (change_xid, id), $4 batch size. Users changed by a
-- transaction at or above the watermark, and users erased so, in (change_xid, id) order; `shown`
-- false (or `present` false, for the erased) means they must leave every index.
select id, change_xid::text as change_xid, present, shown, age, height, gender_bit, interest_mask,
       preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max
from (
  select id, change_xid, true as present, user_shown(visible, suspended_at) as shown, age, height,
         gender_bit, interest_mask, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max
  from users where change_xid >= $1::xid8 and (change_xid, id) > ($2::xid8, $3::int)
  union all
  select id, change_xid, false, false, null, null, null, null, null, null, null, null
  from erased_users where change_xid >= $1::xid8 and (change_xid, id) > ($2::xid8, $3::int)
) c
order by c.change_xid, c.id
limit $4;
