-- No parameters. Every swipe (l: like, p: pass) and every block (b: both are excluded for each other).
select swiper_id, swipee_id, case kind when 'like' then 'l' else 'p' end from swipes
union all
select blocker_id, blocked_id, 'b' from blocks
