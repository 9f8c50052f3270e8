-- $1 user id: erases the account. Their swipes, matches and blocks (either side) go with the row
-- (on delete cascade); reports they made lose their reporter (set null); reports about them keep
-- the bare id. The id goes into erased_users so that change capture sees the deletion.
-- No row when there is no such user.
with gone as (
  delete from users where id = $1 returning id
)
insert into erased_users (id) select id from gone
on conflict (id) do update set change_xid = pg_current_xact_id(), erased_at = now()
returning id, change_xid::text as xid;
