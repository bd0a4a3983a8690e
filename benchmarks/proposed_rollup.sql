-- PROPOSED, not applied: the roll-up kept as a table that the loader refreshes, so that
-- `indicator_rollup` and `target_progress` read a few thousand precomputed rows instead of
-- re-aggregating every current value of the warehouse on each query.
--
-- benchmarks/national.py measures it on a copy of the national warehouse:
--   1. warehouse/views/03_indicator_rollup.sql, unchanged but renamed `indicator_rollup_live`
--      (national.py applies the file's current text with that one rename);
--   2. the statements below.
-- In the project this would be: the rename in 03_indicator_rollup.sql, the view below in a new
-- views file, and the refresh statement run by warehouse.load after the last chunk of a run
-- (inside its transaction, before the checkpoint and the snapshot publish).

-- The refresh (timed by national.py as "refresh_s"):
create or replace table indicator_rollup_current as select * from indicator_rollup_live;

-- What analysts and target_progress query, under the same name as today:
create or replace view indicator_rollup as select * from indicator_rollup_current;
