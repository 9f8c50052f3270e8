-- $1 user id: an operator found nothing wrong. Lifts a suspension and resolves every open report
-- about them as 'cleared' (so they do not count towards the next suspension). No row when there is
-- no such user.
with lifted as (
  update users set suspended_at = null where id = $1 returning id
), cleared as (
  update reports set resolved_at = now(), resolution = 'cleared'
  where reported_id = $1 and resolved_at is null and exists (select 1 from users where id = $1)
  returning 1
)
select id, (select count(*)::int from cleared) as cleared_reports from lifted;
