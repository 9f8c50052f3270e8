-- $1 user id: the swipes they made, one JSON text a row (streamed with COPY).
select json_build_object('swipee_id', swipee_id, 'kind', kind, 'created_at', created_at, 'updated_at', updated_at)
from swipes where swiper_id = $1
order by swipee_id
