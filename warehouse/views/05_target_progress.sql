-- One row per plan target (indicator × disaggregation × scope × year): the target, the actual and whether it was met.
-- Written once, as the table macro `target_progress_of(rollup_view)`: the targets against any view with the
-- columns of indicator_rollup (official_target_progress is that of official_rollup).
create or replace macro target_progress_of(rollup_view) as table
    select
        targets.indicator_code,
        targets.disaggregation,
        targets.scope,
        targets.year,
        targets.target,
        rollup.value as actual,
        rollup.numerator,
        rollup.denominator,
        rollup.value >= targets.target as achieved,
        targets.source
    from targets
    -- rollup_view is the macro's parameter, not a column (RF02)
    left join query_table(rollup_view) as rollup  -- noqa: RF02
        on targets.indicator_code = rollup.indicator_code
            and targets.disaggregation = rollup.disaggregation
            and targets.scope = rollup.scope
            and rollup.period = cast(targets.year as varchar);

create or replace view target_progress as
select * from target_progress_of('indicator_rollup');
