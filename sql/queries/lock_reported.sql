-- $1 user id: locks the reported user's row until the transaction ends, so that reports about the
-- same person are counted one after another (no two reach the threshold unseen). NO KEY UPDATE:
-- swipes naming them (foreign-key share locks) are not held up. No row when there is no such user.
select id from users where id = $1 for no key update;
