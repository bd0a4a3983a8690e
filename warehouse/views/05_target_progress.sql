-- One row per plan target (indicator × disaggregation × scope × year): the target, the actual and whether it was met.
create or replace view target_progress as
select
    targets.indicator_code,
    targets.disaggregation,
    targets.scope,
    targets.year,
    targets.target,
    indicator_rollup.value as actual,
    indicator_rollup.numerator,
    indicator_rollup.denominator,
    indicator_rollup.value >= targets.target as achieved,
    targets.source
from targets
left join indicator_rollup
    on targets.indicator_code = indicator_rollup.indicator_code
        and targets.disaggregation = indicator_rollup.disaggregation
        and targets.scope = indicator_rollup.scope
        and indicator_rollup.period = cast(targets.year as varchar);
