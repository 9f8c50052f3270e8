-- $1 swiper, $2 swipee. Creates the pair's match when $2 likes $1 too and neither has blocked (or
-- reported) the other, and returns the pair's match (new or existing); no row when they are not matched.
with mutual as (
  select 1 from swipes where swiper_id = $2 and swipee_id = $1 and kind = 'like'
    and not exists (select 1 from blocks where (blocker_id, blocked_id) in (($1, $2), ($2, $1)))
),
created as (
  insert into matches (user_low, user_high)
  select least($1::int, $2::int), greatest($1::int, $2::int) from mutual
  on conflict do nothing
  returning matched_at
)
select matched_at from created
union all
select matched_at from matches where user_low = least($1::int, $2::int) and user_high = greatest($1::int, $2::int);
