-- $1 blocker, $2 blocked. Repeatable. Returns the transaction's xid, which stamps the block in Redis
-- (newer-wins against a list computed from an older snapshot).
with added as (
  insert into blocks (blocker_id, blocked_id) values ($1, $2) on conflict do nothing
)
select pg_current_xact_id()::text as xid;
