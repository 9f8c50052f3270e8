-- $1 the caller, $2 the other user: whether each exists (a deleted caller's token is refused, an
-- unknown other is a 404).
select exists (select 1 from users where id = $1) as caller, exists (select 1 from users where id = $2) as other;
