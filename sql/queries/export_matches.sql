-- $1 user id: their matches (the other person's id only), one JSON text a row (streamed with COPY).
select json_build_object('user_id', case when user_low = $1 then user_high else user_low end, 'matched_at', matched_at)
from matches where user_low = $1 or user_high = $1
order by matched_at, user_low, user_high
