-- $1 user id
select exists (select 1 from users where id = $1) as exists;
