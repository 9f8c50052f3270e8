-- $1 watermark (xid8), $2 cap: how many users changed at or above the watermark, counted up to $2.
select count(*)::int as n from (select 1 from users where change_xid >= $1::xid8 limit $2) c;
