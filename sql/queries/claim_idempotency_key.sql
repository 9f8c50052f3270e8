-- $1 scope, $2 key, $3 user id or null, $4 fingerprint, $5 time to live (s), $6 lock (s).
-- Claims the key for a first request: a new key, an expired record, or one whose first request was
-- abandoned (same fingerprint, lock run out). Returns a row only when this request is the one to run.
insert into idempotency_keys as k (scope, key, user_id, fingerprint, locked_until)
values ($1, $2, $3, $4, now() + make_interval(secs => $6))
on conflict (scope, key) do update
  set user_id = excluded.user_id, fingerprint = excluded.fingerprint, status = null, content_type = null,
      body = null, created_at = now(), locked_until = excluded.locked_until
  where k.created_at < now() - make_interval(secs => $5)
     or (k.status is null and k.locked_until < now() and k.fingerprint = excluded.fingerprint)
returning true as claimed;
