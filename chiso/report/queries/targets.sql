-- One row per plan target with its actual and whether it was met, named for the reader, and how the
-- actual is computed (the catalog's rules, as indicator_rollup applies them): method_time `last` (each
-- unit's latest quarter of the year), `sum` (its quarters added up) or `year` (a yearly data set's
-- value); method_units `sum`, `mean` (unweighted) or `ratio` (summed numerators over summed denominators);
-- and whether the actual is official: from the report's targets (report_targets.sql).
with indicator_names as (
    select
        indicator_code,
        indicator_name,
        indicator_name_en
    from indicators
    union all
    select
        indicator_code,
        indicator_name,
        indicator_name_en
    from derived_indicators
),

indicator_periods as (
    select
        dataset_indicators.indicator_code,
        bool_or(datasets.period_type = 'quarter') as quarterly
    from dataset_indicators
    inner join datasets using (dataset_code)
    group by dataset_indicators.indicator_code
),

figure_methods as (
    select
        indicators.indicator_code as figure_code,
        null as numerator_code,
        null as denominator_code,
        null as multiplier,
        if(indicator_periods.quarterly, indicators.time_aggregation, 'year') as method_time,
        indicators.across_units as method_units
    from indicators
    inner join indicator_periods using (indicator_code)
    union all
    -- a derived indicator is computed from its parts: its numerator's rules are the figure's
    select
        derived_indicators.indicator_code as figure_code,
        derived_indicators.numerator_code,
        derived_indicators.denominator_code,
        derived_indicators.multiplier,
        if(indicator_periods.quarterly, indicators.time_aggregation, 'year') as method_time,
        'ratio' as method_units
    from derived_indicators
    inner join indicators on derived_indicators.numerator_code = indicators.indicator_code
    inner join indicator_periods on derived_indicators.numerator_code = indicator_periods.indicator_code
),

disaggregation_names as (
    select distinct
        disaggregation_code as disaggregation,
        disaggregation_name,
        disaggregation_name_en
    from disaggregations
)

select
    report_targets.indicator_code,
    indicator_names.indicator_name,
    indicator_names.indicator_name_en,
    report_targets.disaggregation,
    disaggregation_names.disaggregation_name,
    disaggregation_names.disaggregation_name_en,
    report_targets.scope,
    unit_types.scope_name,
    unit_types.scope_name_en,
    report_targets.year,
    report_targets.target,
    report_targets.actual,
    report_targets.numerator,
    report_targets.denominator,
    report_targets.achieved,
    figure_methods.method_time,
    figure_methods.method_units,
    figure_methods.numerator_code,
    figure_methods.denominator_code,
    figure_methods.multiplier,
    report_targets.official,
    report_targets.allocated,
    report_targets.complete
from report_targets
left join indicator_names using (indicator_code)
left join disaggregation_names using (disaggregation)
left join unit_types on report_targets.scope = unit_types.unit_type
left join figure_methods on report_targets.indicator_code = figure_methods.figure_code
order by report_targets.year, report_targets.indicator_code, report_targets.scope, report_targets.disaggregation;
