-- $1 name, $2 watermark (pg_snapshot), $3 chain_snapshot, $4 after_xid (xid8 or null), $5 after_id
-- (or null). Keeps a watermark that a full rebuild moved past this one meanwhile (by xmax: either
-- is safe, the further one saves work).
insert into change_cursors (name, watermark, chain_snapshot, after_xid, after_id)
values ($1, $2::pg_snapshot, $3::pg_snapshot, $4::xid8, $5)
on conflict (name) do update
  set watermark = case when pg_snapshot_xmax(change_cursors.watermark) > pg_snapshot_xmax(excluded.watermark)
                       then change_cursors.watermark else excluded.watermark end,
      chain_snapshot = excluded.chain_snapshot, after_xid = excluded.after_xid, after_id = excluded.after_id;
