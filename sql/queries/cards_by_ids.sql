-- $1 user ids (int[]): the public cards of those others may be shown now, in no particular order.
select id, name, age, height, gender, bio, interests from users
where id = any($1::int[]) and user_shown(visible, suspended_at);
