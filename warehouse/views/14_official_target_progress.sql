-- One row per plan target (indicator × disaggregation × scope × year): the target and the actual
-- computed from the official figures only (official_rollup), by the rules of target_progress.
create or replace view official_target_progress as
select * from target_progress_of('official_rollup');
