-- $1 user id: they did something just now (kept for ranking by activity and for operators).
-- Returns the transaction's xid: the version of what this swipe writes to Redis.
update users set last_active_at = now() where id = $1
returning pg_current_xact_id()::text as xid;
