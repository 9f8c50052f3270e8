-- The swipe function of 0007 with one change: the swiper's last_active_at is touched only when it
-- is due, checked with a plain read first. An UPDATE of users prepares the row's generated columns
-- and checks whenever it starts, even when no row qualifies, and preparing them inlines their SQL
-- functions (gender_bit, interest_mask, interests_ok), which means parsing those functions' bodies
-- again: profiled under a like load at 1M users (perf, every process), that was 12% of Postgres's
-- time, paid on every like for a touch that is due once a minute. The UPDATE keeps its condition:
-- of two swipes that both read the touch as due, the second finds it done and updates nothing.
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

  if exists (select 1 from users u where u.id = swipe.swiper and u.last_active_at < now() - interval '1 minute') then
    update users set last_active_at = now()
    where id = swipe.swiper and last_active_at < now() - interval '1 minute';
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
