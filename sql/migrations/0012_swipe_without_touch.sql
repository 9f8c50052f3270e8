-- The swipe function of 0011 without the last_active_at touch. Nothing but the data export reads
-- last_active_at, and a swipe's own row already says when its swiper was last active (swipes.updated_at),
-- so the export derives it from there (sql/queries/export_profile.sql) and a swipe writes nothing for it.
-- The touch was the costliest part of a swipe that made it. At 1M users under likes from 2,000
-- people whose touches were all due, this function and 0011's swapped in turn (three runs each):
-- 124-152 us of Postgres CPU a like against 160-202 us, 4.0-4.7k likes/s against 3.4-4.3k/s, p99
-- 29-38 ms against 37-42 ms.
-- An update of a seeded users row is rarely HOT (its page is full): it rewrites the row, runs
-- users_track_change's jsonb diff and inserts into each of its indexes. users.last_active_at stays
-- for when the account was created or last touched otherwise.
create or replace function swipe(swiper integer, swipee integer, kind swipe_kind,
  out created boolean, out matched boolean, out matched_at timestamptz, out unmatched boolean, out xid text)
language plpgsql as $$
declare
  inserted boolean;
  dl integer;
  dp integer;
  lo constant integer := least(swiper, swipee);
  hi constant integer := greatest(swiper, swipee);
begin
  perform pg_advisory_xact_lock(lo, hi);

  insert into swipes as s (swiper_id, swipee_id, kind) values (swipe.swiper, swipe.swipee, swipe.kind)
  on conflict (swiper_id, swipee_id) do update
    set kind = excluded.kind, updated_at = now()
    where s.kind <> excluded.kind
  returning (s.xmax = 0) into inserted;
  created := found;

  if created then
    -- A new swipe adds one of its kind; one that replaced the other kind also takes one off that.
    dl := case when swipe.kind = 'like' then 1 when inserted then 0 else -1 end;
    dp := case when swipe.kind = 'pass' then 1 when inserted then 0 else -1 end;
    insert into swipe_count_deltas (user_id, likes_given, passes_given, likes_received, passes_received)
    values (swipe.swiper, dl, dp, 0, 0), (swipe.swipee, 0, 0, dl, dp);
  end if;

  xid := pg_current_xact_id()::text;
  unmatched := false;

  if swipe.kind = 'like' then
    insert into matches (user_low, user_high)
    select lo, hi
    where exists (select 1 from swipes o where o.swiper_id = swipe.swipee and o.swipee_id = swipe.swiper and o.kind = 'like')
      and not exists (select 1 from blocks b where (b.blocker_id, b.blocked_id) in ((swipe.swiper, swipe.swipee), (swipe.swipee, swipe.swiper)))
    on conflict do nothing
    returning matches.matched_at into matched_at;
    if not found then
      select m.matched_at into matched_at from matches m where m.user_low = lo and m.user_high = hi;
    end if;
    matched := matched_at is not null;
  else
    delete from matches m where m.user_low = lo and m.user_high = hi;
    unmatched := found;
    matched := false;
  end if;
end $$;
