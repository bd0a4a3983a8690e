-- One row per scope × period of a kind: a derived indicator's whole (denominator), part (numerator) and share,
-- with how many units reported it and how many were expected to. $1: the derived indicator; $2: the period type.
with chart_parts as (
    select
        indicator_rollup.scope,
        indicator_rollup.period,
        indicator_rollup.denominator as whole,
        indicator_rollup.numerator as part,
        indicator_rollup.value as share,
        indicator_rollup.units_reporting
    from indicator_rollup
    where indicator_rollup.indicator_code = $1
        and indicator_rollup.period_type = $2
        and indicator_rollup.disaggregation = ''
),

whole_datasets as (
    select dataset_indicators.dataset_code
    from dataset_indicators
    inner join derived_indicators on dataset_indicators.indicator_code = derived_indicators.denominator_code
    where derived_indicators.indicator_code = $1
),

expected_units as (
    select
        completeness.unit_type as scope,
        completeness.period,
        count(*) as units_expected
    from completeness
    inner join whole_datasets using (dataset_code)
    group by completeness.unit_type, completeness.period
)

select
    chart_parts.scope,
    chart_parts.period,
    chart_parts.whole,
    chart_parts.part,
    chart_parts.share,
    chart_parts.units_reporting,
    expected_units.units_expected
from chart_parts
left join expected_units using (scope, period)
order by chart_parts.scope, chart_parts.period;
