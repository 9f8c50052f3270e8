-- $1 reporter, $2 reported, $3 reason (report_reason), $4 text (or null)
insert into reports (reporter_id, reported_id, reason, text) values ($1, $2, $3, $4)
returning id;
