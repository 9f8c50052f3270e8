-- $1 user id: every stored column of the profile as one JSON text (internal bookkeeping and derived
-- columns left out). No row when there is no such user. last_active_at is the later of the row's and
-- of the latest swipe that recorded something (a swipe does not touch the users row: migration 0012).
select ((to_jsonb(u) - array['gender_bit', 'interest_mask', 'change_xid', 'version'])
        || jsonb_build_object('last_active_at', greatest(u.last_active_at, (select max(s.updated_at) from swipes s where s.swiper_id = u.id))))::text as profile
from users u where id = $1;
