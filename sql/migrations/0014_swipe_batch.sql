-- Several swipes in one transaction: the API sends the swipes that arrive while earlier ones are
-- still being written as one call (shared/swipe-batches.ts), so that a burst of likes costs Postgres
-- one round trip, one transaction and one commit rather than one each. Each swipe is the function
-- swipe's, unchanged.
-- The pairs' locks are taken in one global order, (least, greatest) of the pair, so two batches
-- never wait on each other in a cycle. The caller sends a pair at most once per batch, so within a
-- pair, xids still grow with time.
-- A swipe on someone who does not exist comes back with created null and writes nothing; the others
-- go on. Anything else that fails (a user deleted under the batch, a lost deadlock) fails the whole
-- batch, and the caller then runs its swipes one by one (not when Postgres is out of reach).
create or replace function swipe_batch(swipers integer[], swipees integer[], kinds swipe_kind[])
returns table (n integer, created boolean, matched boolean, matched_at timestamptz, unmatched boolean, xid text)
language plpgsql as $$
declare
  r record;
  missing integer[];
begin
  missing := array(select x from unnest(swipees) x except select u.id from users u where u.id = any(swipees));
  for r in select u.swiper, u.swipee, u.kind, u.n from unnest(swipers, swipees, kinds) with ordinality as u(swiper, swipee, kind, n)
           order by least(u.swiper, u.swipee), greatest(u.swiper, u.swipee), u.n loop
    n := r.n;
    if r.swipee = any(missing) then
      created := null; matched := null; matched_at := null; unmatched := null; xid := null;
    else
      select s.created, s.matched, s.matched_at, s.unmatched, s.xid into created, matched, matched_at, unmatched, xid
      from swipe(r.swiper, r.swipee, r.kind) s;
    end if;
    return next;
  end loop;
end $$;
