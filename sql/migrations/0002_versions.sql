-- Versions and change capture from Postgres, not clocks.
--
-- users.version: a per-user change counter (row-locked, so it only grows): cards in Redis are
--   written newer-wins on it, so a rebuild that read a profile earlier can never put it back.
-- users.change_xid: the xid8 of the transaction that last changed the user. Change capture reads
--   rows with change_xid >= a watermark, and the next watermark is the reading snapshot's xmin:
--   every transaction below it has finished, so a long transaction is never skipped (it holds
--   xmin back until it commits, and its rows are then read), and no clock is involved.
-- Only what matching or cards depend on counts as a change: last_active_at (touched by every
-- swipe) does not.
alter table users
  add column version bigint not null default 1,
  add column change_xid xid8 not null default pg_current_xact_id(),
  -- false while the user has paused ("snoozed"): shown to nobody, keeps their own feed.
  add column visible boolean not null default true,
  -- Set by moderation (reported by enough people): shown to nobody until an operator clears it.
  add column suspended_at timestamptz;

create index users_change_xid_idx on users (change_xid, id);

create function users_track_change() returns trigger language plpgsql as $$
begin
  -- Generated columns are not computed yet in a BEFORE trigger, so they are left out too.
  if (to_jsonb(new) - array['last_active_at', 'updated_at', 'version', 'change_xid', 'gender_bit', 'interest_mask'])
     is distinct from
     (to_jsonb(old) - array['last_active_at', 'updated_at', 'version', 'change_xid', 'gender_bit', 'interest_mask']) then
    new.version := old.version + 1;
    new.change_xid := pg_current_xact_id();
    new.updated_at := now();
  end if;
  return new;
end $$;

create trigger users_track_change before update on users
  for each row execute function users_track_change();

-- Who may be shown to others at all: the one place that says so.
create function user_shown(visible boolean, suspended_at timestamptz) returns boolean
  language sql immutable parallel safe as $$ select visible and suspended_at is null $$;

-- Either direction: the two are never eligible for each other again (a report also blocks).
create table blocks (
  blocker_id integer not null references users (id) on delete cascade,
  blocked_id integer not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  check (blocker_id <> blocked_id)
);
create index blocks_blocked_idx on blocks (blocked_id, blocker_id);

-- Erased accounts, by id only (no personal data): change capture sees deletions through it.
create table erased_users (
  id integer primary key,
  change_xid xid8 not null default pg_current_xact_id(),
  erased_at timestamptz not null default now()
);
create index erased_users_change_xid_idx on erased_users (change_xid, id);

-- Where each change consumer (the incremental pass) stands, kept in Postgres so a Redis restart
-- does not lose it.
create table change_cursors (
  name text primary key,
  watermark xid8 not null,
  -- A pass that stopped at its batch limit goes on after (after_xid, after_id) from watermark,
  -- and the watermark then moves to chain_xmin, the xmin of the snapshot that began the chain.
  chain_xmin xid8,
  after_xid xid8,
  after_id integer
);
