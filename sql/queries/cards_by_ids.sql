-- $1 user ids (int[]): their public cards, in no particular order.
select id, name, age, height, gender, bio, interests from users where id = any($1::int[]);
