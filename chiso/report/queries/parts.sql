-- One row per scope × period of a kind: a derived indicator's whole (denominator), part (numerator) and share,
-- with how many units reported it and how many were expected to, and whether it is official, allocated and
-- complete (in its geography), from the report's figures (report_figures.sql). $1: the derived indicator; $2: the
-- period type.
with chart_parts as (
    select
        report_figures.scope,
        report_figures.period,
        report_figures.denominator as whole,
        report_figures.numerator as part,
        report_figures.value as share,
        report_figures.units_reporting,
        report_figures.official,
        report_figures.allocated,
        report_figures.complete
    from report_figures
    where report_figures.indicator_code = $1
        and report_figures.period_type = $2
        and report_figures.disaggregation = ''
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
    expected_units.units_expected,
    chart_parts.official,
    chart_parts.allocated,
    chart_parts.complete
from chart_parts
left join expected_units using (scope, period)
order by chart_parts.scope, chart_parts.period;
