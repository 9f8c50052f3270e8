-- $1, $2 two user ids: dissolves their match, if any.
delete from matches where user_low = least($1::int, $2::int) and user_high = greatest($1::int, $2::int)
returning matched_at;
