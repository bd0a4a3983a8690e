-- One row per period (quarter or year) × scope × indicator × disaggregation, as of the last load:
-- indicator_rollup_live as the loader stored it (same rows and columns, read in a millisecond).
create or replace view indicator_rollup as
select * from indicator_rollup_current;
