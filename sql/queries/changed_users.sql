-- $1 watermark (timestamptz), $2 batch size: users created or changed since the watermark, oldest first.
select id, updated_at from users where updated_at > $1 order by updated_at, id limit $2;
