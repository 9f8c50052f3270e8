-- A like or a pass as one statement: the whole swipe transaction in one round trip (issue 7). It was
-- seven (begin, lock, upsert, counters, touch, match, commit), and on a busy machine every round trip
-- is a wait for the scheduler as well as for the network. Called outside BEGIN/COMMIT, the statement
-- is its own transaction.
--
-- In order, as the separate statements did:
-- 1. The pair's lock, before the first write: two crossing likes cannot both miss each other (exactly
--    one match), and the xid, assigned at the first write, grows within a pair (shared/feed-store.ts).
-- 2. The swipe (the latest wins). Its foreign keys are the first to name the other user: an unknown
--    user fails here with 23503, as before.
-- 3. The ranking's counter deltas, only when the swipe changed (0005).
-- 4. last_active_at, at most once a minute: every update of the users row runs users_track_change
--    (a jsonb diff of the row) and writes a new row version, and nothing reads last_active_at more
--    finely than that (the data export shows it). A touch that is not due finds no row to update.
-- 5. The match: made when the other likes back and neither has blocked the other (like), or
--    dissolved (pass). Each statement of a volatile function takes a new snapshot, so what a swipe
--    that held the lock before committed is seen here.
create function swipe(swiper integer, swipee integer, kind swipe_kind,
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

  update users set last_active_at = now()
  where id = swipe.swiper and last_active_at < now() - interval '1 minute';

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
