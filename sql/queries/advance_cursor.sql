-- $1 name, $2 xid8: a full rebuild covered every change below $2; a pass's chain restarts from there.
insert into change_cursors (name, watermark) values ($1, snapshot_below($2::xid8))
on conflict (name) do update
  set watermark = excluded.watermark, chain_snapshot = null, after_xid = null, after_id = null
  where pg_snapshot_xmax(change_cursors.watermark) < $2::xid8;
