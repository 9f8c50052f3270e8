-- No parameters. The current snapshot's xmin (every transaction below it has finished) and time.
select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, now() as at;
