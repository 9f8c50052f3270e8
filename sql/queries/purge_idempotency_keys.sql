-- $1 time to live (s). Deletes expired records.
delete from idempotency_keys where created_at < now() - make_interval(secs => $1);
