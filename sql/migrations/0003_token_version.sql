-- A user's token version. Every user token carries the version it was issued under (claim `tv`);
-- raising it (sign out everywhere, an operator's revocation) invalidates every earlier token at once.
-- A constant default: the column is added without rewriting the table. New users start at 0.
alter table users add column token_version integer not null default 0;

-- A new token version changes nothing that matching or cards depend on: not a change for change
-- capture (0002's users_track_change, with token_version added to the columns it ignores).
create or replace function users_track_change() returns trigger language plpgsql as $$
begin
  -- Generated columns are not computed yet in a BEFORE trigger, so they are left out too.
  if (to_jsonb(new) - array['last_active_at', 'updated_at', 'version', 'change_xid', 'gender_bit', 'interest_mask', 'token_version'])
     is distinct from
     (to_jsonb(old) - array['last_active_at', 'updated_at', 'version', 'change_xid', 'gender_bit', 'interest_mask', 'token_version']) then
    new.version := old.version + 1;
    new.change_xid := pg_current_xact_id();
    new.updated_at := now();
  end if;
  return new;
end $$;
