-- One row per figure of the roll-up asked for (one, or one per disaggregation when none is given).
-- $1: the indicator, $2: the period, $3: the scope; $4: the disaggregation (null: all of them); $5: the roll-up
-- (indicator_rollup, or a geography's: indicator_rollup_current_geography, _past_geography).
select
    indicator_rollup.period,
    indicator_rollup.period_type,
    indicator_rollup.scope,
    indicator_rollup.indicator_code,
    indicator_rollup.disaggregation,
    indicator_rollup.numerator,
    indicator_rollup.denominator,
    indicator_rollup.value,
    indicator_rollup.units_reporting,
    targets.target
from query_table($5) as indicator_rollup
left join targets
    on indicator_rollup.indicator_code = targets.indicator_code
        and indicator_rollup.disaggregation = targets.disaggregation
        and indicator_rollup.scope = targets.scope
        and indicator_rollup.period = cast(targets.year as varchar)
where indicator_rollup.indicator_code = $1
    and indicator_rollup.period = $2
    and indicator_rollup.scope = $3
    and ($4 is null or indicator_rollup.disaggregation = $4)
order by indicator_rollup.disaggregation;
