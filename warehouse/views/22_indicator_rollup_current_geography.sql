-- One row per period (quarter or year) × scope × indicator × disaggregation of the current geography: the roll-up
-- of indicator_values_current_geography by the rules of indicator_rollup (the macro indicator_rollup_of, so a
-- derived indicator divides the summed numerators and denominators, never averages ratios), with
-- - allocated: a value the figure is counted from was allocated by a split weight (a year's figure counts its
--   quarters' values, as values_counted and rollup_marks do);
-- - complete: no value that would count in the figure was left out (a blank reverse weight, an `end`); a figure
--   all of whose values were left out is a row with value blank.
-- Written once, as the table macro `indicator_rollup_in_geography_of(values_view)` over any view with the columns
-- of indicator_values_current_geography: first the values re-expressed into one unit are combined into one value
-- of that unit (added, or averaged for a `mean` indicator), then that is rolled up as indicator_rollup does.
create or replace macro indicator_rollup_in_geography_of(values_view) as table
    with geography_unit_values as (
        select
            reexpressed.unit_code,
            reexpressed.period,
            reexpressed.indicator_code,
            reexpressed.disaggregation,
            case
                when any_value(indicators.across_units) = 'mean'
                    then cast(avg(cast(reexpressed.value as decimal(38, 6))) as double)
                else cast(sum(cast(reexpressed.value as decimal(38, 6))) as double)
            end as value,
            bool_or(reexpressed.allocated) as allocated
        -- values_view is the macro's parameter, not a column (RF02)
        from query_table(values_view) as reexpressed  -- noqa: RF02
        inner join indicators on reexpressed.indicator_code = indicators.indicator_code
        where reexpressed.unit_code is not null
        group by reexpressed.unit_code, reexpressed.period, reexpressed.indicator_code, reexpressed.disaggregation
    ),

    -- read by name by indicator_rollup_of below (ST03)
    unallocated_unit_values as (  -- noqa: ST03
        select * from geography_unit_values
        where not allocated
    ),

    left_out_values as (  -- noqa: ST03
    -- the values the geography cannot hold, in their reported units: the figures they would count in
        select
            reported_unit_code as unit_code,
            period,
            indicator_code,
            disaggregation,
            reported_value as value
        -- values_view is the macro's parameter, not a column (RF02)
        from query_table(values_view)  -- noqa: RF02
        where unit_code is null
    ),

    figures as (
        select * from indicator_rollup_of('geography_unit_values')
    ),

    unallocated_figures as (
        select
            period,
            scope,
            indicator_code,
            disaggregation,
            values_counted
        from indicator_rollup_of('unallocated_unit_values')
    ),

    left_out_figures as (
        select
            period,
            period_type,
            scope,
            indicator_code,
            disaggregation
        from indicator_rollup_of('left_out_values')
    )

    select
        coalesce(figures.period, left_out_figures.period) as period,
        coalesce(figures.period_type, left_out_figures.period_type) as period_type,
        coalesce(figures.scope, left_out_figures.scope) as scope,
        coalesce(figures.indicator_code, left_out_figures.indicator_code) as indicator_code,
        coalesce(figures.disaggregation, left_out_figures.disaggregation) as disaggregation,
        figures.numerator,
        figures.denominator,
        figures.value,
        coalesce(figures.units_reporting, 0) as units_reporting,
        coalesce(figures.values_counted <> coalesce(unallocated_figures.values_counted, 0), false) as allocated,
        left_out_figures.period is null as complete
    from figures
    left join unallocated_figures using (period, scope, indicator_code, disaggregation)
    full join left_out_figures
        on figures.period = left_out_figures.period
            and figures.scope = left_out_figures.scope
            and figures.indicator_code = left_out_figures.indicator_code
            and figures.disaggregation = left_out_figures.disaggregation;

create or replace view indicator_rollup_current_geography as
select
    period,
    period_type,
    scope,
    indicator_code,
    disaggregation,
    numerator,
    denominator,
    value,
    units_reporting,
    'current' as geography,
    allocated,
    complete
from indicator_rollup_in_geography_of('indicator_values_current_geography');
