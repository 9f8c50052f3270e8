-- Change capture by snapshot, not by xmin alone (issue 6). A reader's watermark is the whole snapshot
-- it last read in (pg_snapshot: xmin, xmax and the xids in progress then), and what it has not seen
-- is exactly the transactions that snapshot could not see: its in-progress ones, and every xid from
-- its xmax on. With xmin alone, a long transaction (a bulk load) held the watermark back, so every
-- read went over everything committed since it began, and over its uncommitted rows as well: the
-- index on (change_xid, id) holds entries for rows nobody can see yet, and a 1M-row load in progress
-- made each request's read walk past up to a million of them.

create function xid8_next(x xid8) returns xid8
  language sql immutable parallel safe as $$ select (x::text::numeric + 1)::text::xid8 $$;

-- The xid ranges [lo, hi) holding changes that a reader who has seen everything visible in snapshot
-- `seen` has not seen and the calling statement can: `seen`'s in-progress xids that have finished
-- since, then the xids from `seen`'s xmax to the current xmax, less those still in progress now
-- (their rows are invisible, and there may be many). A handful of ranges, each an index range.
create function unseen_xids(seen pg_snapshot) returns table (lo xid8, hi xid8)
  language sql stable parallel safe as $$
  with cur as (select pg_current_snapshot() as s)
  select x, xid8_next(x) from cur, pg_snapshot_xip(seen) x where pg_visible_in_snapshot(x, cur.s)
  union all
  select lo, hi from (
    select coalesce(xid8_next(lag(x) over (order by x)), pg_snapshot_xmax(seen)) as lo, x as hi
    from (select x from cur, pg_snapshot_xip(cur.s) x where x >= pg_snapshot_xmax(seen)
          union all select pg_snapshot_xmax(s) from cur) cut
  ) r where lo < hi
$$;

-- Everything below an xid8 and nothing from it on, as a snapshot: the old watermarks, and the cover
-- of a full rebuild (the xmin it read at).
create function snapshot_below(x xid8) returns pg_snapshot
  language sql immutable parallel safe as $$ select (x::text || ':' || x::text || ':')::pg_snapshot $$;

alter table change_cursors alter column watermark type pg_snapshot using snapshot_below(watermark);
alter table change_cursors alter column chain_xmin type pg_snapshot using snapshot_below(chain_xmin);
alter table change_cursors rename column chain_xmin to chain_snapshot;
