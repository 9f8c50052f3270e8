-- No parameters. The current snapshot (a change-capture watermark: what it saw has been read), its
-- xmin (every transaction below it has finished) and the time.
select pg_current_snapshot()::text as snapshot, pg_snapshot_xmin(pg_current_snapshot())::text as xmin, now() as at;
