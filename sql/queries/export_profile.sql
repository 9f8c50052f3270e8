-- $1 user id: every stored column of the profile as one JSON text (internal bookkeeping and derived
-- columns left out). No row when there is no such user.
select (to_jsonb(u) - array['gender_bit', 'interest_mask', 'change_xid', 'version'])::text as profile
from users u where id = $1;
