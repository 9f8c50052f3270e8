-- Reach (shared/matching/reach.ts, docs/ALGORITHM.md): the share of the population each user is
-- mutually eligible with, in parts per million. Kept with the counters because it is the same kind
-- of thing: a signal every ranking path reads, folded in once per full rebuild.
-- reach_ppm is what the ranking uses: counted when the user registers or changes their preferences,
-- and otherwise as the previous rebuild counted it. reach_next is that count, waiting: a rebuild
-- ranks with reach_ppm (so its lists, the live path and the stored value agree) and leaves its new
-- counts here; the next one moves them in before it reads anyone (sql/queries/promote_reach.sql).
alter table swipe_counts add column reach_ppm integer check (reach_ppm > 0),
                         add column reach_next integer check (reach_next > 0);
