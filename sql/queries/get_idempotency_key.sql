-- $1 scope, $2 key, $3 time to live (s). The live record of a key, if any.
select fingerprint, status, content_type, body
from idempotency_keys
where scope = $1 and key = $2 and created_at >= now() - make_interval(secs => $3);
