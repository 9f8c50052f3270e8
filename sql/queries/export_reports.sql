-- $1 user id: the reports they made, one JSON text a row (streamed with COPY).
select json_build_object('report_id', id, 'reported_user_id', reported_id, 'reason', reason, 'text', text, 'created_at', created_at)
from reports where reporter_id = $1
order by id
