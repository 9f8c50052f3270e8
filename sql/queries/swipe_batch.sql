-- $1 swipers, $2 swipees, $3 kinds: several swipes in one transaction (the function swipe_batch,
-- sql/migrations/0014), one row each, n its 1-based place in the arrays. created is null where the
-- swipee does not exist; the other columns are swipe.sql's.
select n, created, matched, matched_at, unmatched, xid from swipe_batch($1::integer[], $2::integer[], $3::swipe_kind[])
