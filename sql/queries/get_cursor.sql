-- $1 consumer name: where it stands in the change stream (no row before its first pass).
select watermark::text, chain_snapshot::text, after_xid::text, after_id from change_cursors where name = $1;
