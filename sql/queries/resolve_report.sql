-- $1 report id: an operator handled it. Repeating keeps the first resolution. No row when there is no such report.
with done as (
  update reports set resolved_at = now(), resolution = 'resolved'
  where id = $1 and resolved_at is null
  returning id, resolved_at, resolution
)
select id, resolved_at, resolution from done
union all
select id, resolved_at, resolution from reports where id = $1 and not exists (select 1 from done);
