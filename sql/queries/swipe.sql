-- $1 swiper, $2 swipee, $3 kind ('like' | 'pass'): the whole swipe in one statement, run outside
-- BEGIN/COMMIT so that it is its own transaction (the function swipe, sql/migrations/0007).
-- created: the swipe changed (new, or replaced the other kind); matched/matched_at: the pair's match
-- after a like; unmatched: a pass dissolved one; xid: the transaction's xid8, the version of what
-- the swipe writes to Redis.
select created, matched, matched_at, unmatched, xid from swipe($1, $2, $3)
