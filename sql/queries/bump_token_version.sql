-- $1 user id. Invalidates every token issued so far; updated_at is left alone (matching is unchanged).
update users set token_version = token_version + 1 where id = $1 returning token_version;
