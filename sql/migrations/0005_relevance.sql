-- Relevance: interest tags on profiles, and the swipe counters the ranking learns from.

-- Tags as the contract stores them: at most 10, each 1-30 characters, lower-case, trimmed, distinct.
create function interests_ok(tags text[]) returns boolean language sql immutable parallel safe as $$
  select tags is null or (
    cardinality(tags) <= 10
    and array_position(tags, null) is null
    and (select bool_and(char_length(t) between 1 and 30 and t = lower(btrim(t))) from unnest(tags) t) is not false
    and cardinality(tags) = (select count(distinct t) from unnest(tags) t))
$$;
alter table users add column interests text[] check (interests_ok(interests));

-- Per user: likes and passes given and received. A swipe does not update these rows (a popular
-- swipee's row would serialise every like on them): it appends a delta row instead, which takes
-- no lock anyone else waits for, and a fold (sql/queries/fold_swipe_counts.sql, run before each
-- full rebuild and by the incremental pass) adds the deltas up in one statement.
create table swipe_counts (
  user_id integer primary key references users (id) on delete cascade,
  likes_given integer not null default 0,
  passes_given integer not null default 0,
  likes_received integer not null default 0,
  passes_received integer not null default 0
);

-- Append-only; no foreign key (it would lock the users row for key share on each insert), so the
-- fold drops the deltas of users deleted since.
create table swipe_count_deltas (
  user_id integer not null,
  likes_given integer not null default 0,
  passes_given integer not null default 0,
  likes_received integer not null default 0,
  passes_received integer not null default 0
);
