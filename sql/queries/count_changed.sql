-- $1 watermark (pg_snapshot), $2 cap: how many users changed unseen by the watermark, counted up to $2.
select count(*)::int as n
from (select 1 from unseen_xids($1::pg_snapshot) r
      cross join lateral (select 1 from users u where u.change_xid >= r.lo and u.change_xid < r.hi limit $2) u
      limit $2) c;
