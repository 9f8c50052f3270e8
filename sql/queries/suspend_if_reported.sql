-- $1 reported user, $2 threshold: suspends them once $2 different people have open reports about
-- them (anonymised reports of deleted reporters are not counted: they cannot be told apart).
-- Returns a row only when this call suspended them.
update users set suspended_at = now()
where id = $1 and suspended_at is null
  and (select count(distinct reporter_id) from reports where reported_id = $1 and resolved_at is null) >= $2
returning suspended_at;
