-- $1 scope, $2 key, $3 status, $4 content type, $5 body. Records the first request's answer.
update idempotency_keys set status = $3, content_type = $4, body = $5, locked_until = null
where scope = $1 and key = $2 and status is null;
