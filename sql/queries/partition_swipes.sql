-- $1 gender bit, ($2 age, $3 height) .. ($4 age, $5 height): every swipe made by or on a member,
-- and every block either way ('block': both are excluded for each other).
with members as (
  select id from users
  where gender_bit = $1 and (age, height) >= ($2, $3) and (age, height) <= ($4, $5)
)
select s.swiper_id, s.swipee_id, s.kind::text from swipes s join members m on m.id = s.swiper_id
union
select s.swiper_id, s.swipee_id, s.kind::text from swipes s join members m on m.id = s.swipee_id
union
select b.blocker_id, b.blocked_id, 'block' from blocks b join members m on m.id = b.blocker_id
union
select b.blocker_id, b.blocked_id, 'block' from blocks b join members m on m.id = b.blocked_id
