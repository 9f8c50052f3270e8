-- $1, $2 two user ids. Serialises every swipe between the same two people (either direction) until
-- the transaction ends, so two crossing likes cannot both miss each other: exactly one match.
select pg_advisory_xact_lock(least($1::int, $2::int), greatest($1::int, $2::int));
