-- $1 scope, $2 key. Forgets a claim whose request ended in a retryable answer (5xx, 429, ...).
delete from idempotency_keys where scope = $1 and key = $2 and status is null;
