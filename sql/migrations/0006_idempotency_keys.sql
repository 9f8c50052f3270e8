-- Idempotency-Key (issue 11): the first response to a POST, kept for IDEMPOTENCY_TTL_S, so a retry
-- gets it again instead of acting twice. In Postgres, not Redis: a record cannot be rebuilt from
-- anything else, must survive a Redis restart or eviction (a retried /register must never make a
-- second account), and costs two indexed statements, paid only by requests that carry a key.
create table idempotency_keys (
  -- 'u:<user id>', 'op' (the operator) or '-' (unauthenticated, e.g. /register): keys are per scope.
  scope text not null,
  key text not null check (char_length(key) between 1 and 255),
  -- The user's records go with the user when the account is erased.
  user_id integer references users (id) on delete cascade,
  -- sha256 of method, path and body: the same key with a different request is refused.
  fingerprint bytea not null,
  -- null while the first request runs; then its answer.
  status smallint,
  content_type text,
  body text,
  created_at timestamptz not null default now(),
  -- A first request that has not finished by then (its process died) may be taken over by a retry.
  locked_until timestamptz,
  primary key (scope, key)
);
create index idempotency_keys_created_at_idx on idempotency_keys (created_at);
