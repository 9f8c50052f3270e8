-- $1 watermark (pg_snapshot), $2 $3 keyset: after (change_xid, id), $4 batch size. Users changed by
-- a transaction the watermark did not see (unseen_xids, 0008), and users erased so, in (change_xid,
-- id) order; `shown` false (or `present` false, for the erased) means they must leave every index.
-- Each xid range is read by its own index scan, at most $4 rows of it, from one lower bound (given
-- two, the btree may start from the keyset's and walk from the start of the index). The candidate columns are as
-- in shared/candidates.ts.
select c.change_xid::text as change_xid, c.present, c.shown, c.id, c.age, c.height, c.gender_bit,
       c.interest_mask, c.preferred_age_min, c.preferred_age_max, c.preferred_height_min,
       c.preferred_height_max, c.likes_given, c.passes_given, c.likes_received, c.passes_received,
       c.days, c.idle_days, c.reach, c.interests
from unseen_xids($1::pg_snapshot) r
cross join lateral (select greatest(r.lo, $2::xid8) as xid, case when $2::xid8 >= r.lo then $3::int else -1 end as id) k
cross join lateral (
  (select u.change_xid, true as present, user_shown(u.visible, u.suspended_at) as shown,
          u.id, u.age, u.height, u.gender_bit, u.interest_mask, u.preferred_age_min, u.preferred_age_max,
          u.preferred_height_min, u.preferred_height_max,
          coalesce(c.likes_given, 0) as likes_given, coalesce(c.passes_given, 0) as passes_given,
          coalesce(c.likes_received, 0) as likes_received, coalesce(c.passes_received, 0) as passes_received,
          greatest(0, floor(extract(epoch from now() - u.created_at) / 86400))::int as days,
          greatest(0, floor(extract(epoch from now() - coalesce(c.last_swiped_on, u.created_at)) / 86400))::int as idle_days,
          coalesce(c.reach_ppm, 0) as reach,
          array_to_json(u.interests)::text as interests
   from users u left join swipe_counts c on c.user_id = u.id
   where (u.change_xid, u.id) > (k.xid, k.id) and u.change_xid < r.hi
   order by u.change_xid, u.id
   limit $4)
  union all
  (select e.change_xid, false, false, e.id, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null, null, null
   from erased_users e
   where (e.change_xid, e.id) > (k.xid, k.id) and e.change_xid < r.hi
   order by e.change_xid, e.id
   limit $4)
) c
order by c.change_xid, c.id
limit $4;
