-- $1 after this report id (0 for the first page), $2 status ('open' | 'resolved' | 'all'), $3 limit.
-- Reports in id order (keyset pagination), with whether the reported user still exists and is suspended.
select r.id, r.reporter_id, r.reported_id, r.reason, r.text, r.created_at, r.resolved_at, r.resolution,
       u.id is null as reported_erased, u.suspended_at as reported_suspended_at
from reports r
left join users u on u.id = r.reported_id
where r.id > $1 and ($2 = 'all' or ($2 = 'open') = (r.resolved_at is null))
order by r.id
limit $3;
