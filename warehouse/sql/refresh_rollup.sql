-- Store the roll-up of the current values (run by the loader after each run, in one transaction).
-- Replaced whole from the live view, by name: the view alone says what a roll-up row holds, and the
-- stored table takes its columns from it (migration 003's table only stands in until the first run).
create or replace table indicator_rollup_current as
select * from indicator_rollup_live;
