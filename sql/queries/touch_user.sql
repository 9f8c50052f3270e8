-- $1 user id: they did something just now (kept for ranking by activity and for operators).
update users set last_active_at = now() where id = $1;
