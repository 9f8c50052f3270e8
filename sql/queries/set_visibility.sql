-- $1 user id, $2 visible (false = paused: shown to nobody). The version trigger stamps the change.
-- No row when there is no such user.
update users set visible = $2 where id = $1
returning visible;
