-- $1 user id. No row: the user does not exist (deleted), so none of their tokens is valid.
select token_version from users where id = $1;
