-- A user's token version. Every user token carries the version it was issued under (claim `tv`);
-- raising it (sign out everywhere, an operator's revocation) invalidates every earlier token at once.
-- A constant default: the column is added without rewriting the table. New users start at 0.
alter table users add column token_version integer not null default 0;
