-- One row per disaggregation × year: a derived indicator's value in a scope and whether it is official, with the
-- plan target of the year where there is one, from the report's figures and targets (report_figures.sql,
-- report_targets.sql). $1: the derived indicator; $2: the scope.
with shares as (
    select
        report_figures.disaggregation,
        periods.year,
        report_figures.value,
        report_figures.numerator,
        report_figures.denominator,
        report_figures.official,
        report_figures.allocated,
        report_figures.complete
    from report_figures
    inner join periods using (period)
    where report_figures.indicator_code = $1
        and report_figures.scope = $2
        and report_figures.period_type = 'year'
),

year_targets as (
    select
        disaggregation,
        year,
        target,
        achieved
    from report_targets
    where indicator_code = $1 and scope = $2
),

chart_indicator as (
    select
        derived_indicators.indicator_name,
        derived_indicators.indicator_name_en
    from derived_indicators
    where derived_indicators.indicator_code = $1
),

disaggregation_names as (
    select distinct
        disaggregations.disaggregation_code as disaggregation,
        disaggregations.disaggregation_name as name,
        disaggregations.disaggregation_name_en as name_en,
        disaggregations.rowid as catalog_order
    from disaggregations
    inner join derived_indicators on disaggregations.indicator_code = derived_indicators.denominator_code
    where derived_indicators.indicator_code = $1
)

select
    coalesce(shares.disaggregation, year_targets.disaggregation) as disaggregation,
    coalesce(disaggregation_names.name, chart_indicator.indicator_name) as name,
    coalesce(disaggregation_names.name_en, chart_indicator.indicator_name_en) as name_en,
    coalesce(shares.year, year_targets.year) as year,
    shares.value,
    shares.numerator,
    shares.denominator,
    shares.official,
    coalesce(shares.allocated, false) as allocated,
    coalesce(shares.complete, true) as complete,
    year_targets.target,
    year_targets.achieved
from shares
full join year_targets using (disaggregation, year)
cross join chart_indicator
left join disaggregation_names
    on disaggregation_names.disaggregation = coalesce(shares.disaggregation, year_targets.disaggregation)
order by disaggregation_names.catalog_order nulls last, disaggregation, year;
