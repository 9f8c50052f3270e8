-- $1 user id: the blocks they made, one JSON text a row (streamed with COPY).
select json_build_object('blocked_user_id', blocked_id, 'created_at', created_at)
from blocks where blocker_id = $1
order by blocked_id
