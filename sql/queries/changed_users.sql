-- $1 watermark (µs since epoch), $2 batch size: users created or changed after it, oldest first,
-- with their change time in µs (timestamptz precision, so the next watermark is exact).
select id, (extract(epoch from updated_at) * 1000000)::bigint::text as changed_us
from users
where updated_at > to_timestamp($1::float8 / 1000000)
order by updated_at, id
limit $2;
