-- $1 user id: everyone $1 is matched with, newest match first.
select u.id, u.name, u.age, u.height, u.gender, u.bio, u.interests, m.matched_at
from matches m
join users u on u.id = case when m.user_low = $1 then m.user_high else m.user_low end
where m.user_low = $1 or m.user_high = $1
order by m.matched_at desc, u.id;
