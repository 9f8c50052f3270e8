-- $1 gender bit, ($2 age, $3 height) .. ($4 age, $5 height): every swipe made by or on a member.
select s.swiper_id, s.swipee_id, s.kind
from swipes s join users u on u.id = s.swiper_id
where u.gender_bit = $1 and (u.age, u.height) >= ($2, $3) and (u.age, u.height) <= ($4, $5)
union
select s.swiper_id, s.swipee_id, s.kind
from swipes s join users u on u.id = s.swipee_id
where u.gender_bit = $1 and (u.age, u.height) >= ($2, $3) and (u.age, u.height) <= ($4, $5)
