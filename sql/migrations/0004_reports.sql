-- Reports for moderation. A report also blocks (a row in blocks, 0002); this table keeps what
-- operators need: who reported whom, why, and what became of it.
--
-- On account deletion (the contract): reports the deleted user made are kept without their
-- identity (reporter_id set null by the foreign key); reports about them are kept for moderation
-- with the profile removed: reported_id is a plain integer, no foreign key, so it outlives the
-- users row (an id is no personal data: erased_users keeps it too).
create type report_reason as enum ('spam', 'harassment', 'fake_profile', 'underage', 'inappropriate', 'other');

create table reports (
  id bigint generated always as identity primary key,
  reporter_id integer references users (id) on delete set null,
  reported_id integer not null,
  reason report_reason not null,
  text text check (char_length(text) <= 1000),
  created_at timestamptz not null default now(),
  -- Set by an operator (resolve one report, or clear the user).
  resolved_at timestamptz,
  resolution text check (resolution in ('resolved', 'cleared')),
  check ((resolved_at is null) = (resolution is null)),
  check (reporter_id is distinct from reported_id)
);
-- Counting distinct open reporters of a user (suspension), and clearing them.
create index reports_open_reported_idx on reports (reported_id, reporter_id) where resolved_at is null;
-- A user's own reports (export), and anonymising them on deletion (the foreign key's set null).
create index reports_reporter_idx on reports (reporter_id);
-- GET /admin/reports?status=open pages by id through the open ones only.
create index reports_open_id_idx on reports (id) where resolved_at is null;
