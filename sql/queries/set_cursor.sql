-- $1 name, $2 watermark (xid8), $3 chain_xmin, $4 after_xid (xid8 or null), $5 after_id (or null).
-- Never moves the watermark back (a full rebuild may have moved it further meanwhile).
insert into change_cursors (name, watermark, chain_xmin, after_xid, after_id)
values ($1, $2::xid8, $3::xid8, $4::xid8, $5)
on conflict (name) do update
  set watermark = greatest(change_cursors.watermark, excluded.watermark),
      chain_xmin = excluded.chain_xmin, after_xid = excluded.after_xid, after_id = excluded.after_id;
