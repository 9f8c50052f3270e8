-- $1 swiper, $2 swipee, $3 kind ('like' | 'pass'). The latest swipe wins.
-- Returns a row only when something changed (a new swipe, or a like replacing a pass and back);
-- `inserted` tells which (xmax is 0 on a freshly inserted row version).
insert into swipes (swiper_id, swipee_id, kind) values ($1, $2, $3)
on conflict (swiper_id, swipee_id) do update
  set kind = excluded.kind, updated_at = now()
  where swipes.kind <> excluded.kind
returning kind, (xmax = 0) as inserted;
