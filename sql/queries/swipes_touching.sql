-- $1 user id: everyone $1 swiped on and everyone who swiped on $1, with the direction and kind.
select swipee_id as other_id, true as outgoing, kind from swipes where swiper_id = $1
union all
select swiper_id, false, kind from swipes where swipee_id = $1;
