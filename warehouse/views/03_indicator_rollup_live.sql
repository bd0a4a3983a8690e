-- One row per period (quarter or year) × scope (department, district, province) × indicator × disaggregation,
-- computed from the current values on every query (the loader stores it as indicator_rollup after each run).
-- A unit's year takes its latest quarter for `last` indicators and adds its quarters for `sum` ones;
-- units are then added up (or averaged, for `mean` indicators); derived indicators divide the summed parts.
-- The rules are written once, in the table macro `indicator_rollup_of(values_view)`: the roll-up of any
-- view with the columns of indicator_values (official_rollup is that of official_values). Its extra column
-- values_counted says how many reported values a figure is computed from (rollup_marks compares them).
-- Sums are exact (values to 6 decimals): a figure never depends on the order its values are added in.
create or replace macro indicator_rollup_of(values_view) as table
    with unit_values as (
        select
            reported.unit_code,
            units.unit_type,
            reported.period,
            reported.indicator_code,
            reported.disaggregation,
            reported.value,
            indicators.time_aggregation,
            indicators.across_units,
            periods.year,
            periods.quarter
        -- values_view is the macro's parameter, not a column (RF02)
        from query_table(values_view) as reported  -- noqa: RF02
        inner join units using (unit_code)
        inner join indicators using (indicator_code)
        inner join periods using (period)
    ),

    unit_quarters as (
        select
            unit_code,
            unit_type,
            period,
            'quarter' as period_type,
            indicator_code,
            disaggregation,
            value,
            across_units,
            1 as values_counted
        from unit_values
        where quarter is not null
    ),

    unit_years as (
        select
            unit_code,
            unit_type,
            cast(year as varchar) as period,
            'year' as period_type,
            indicator_code,
            disaggregation,
            case
                when any_value(time_aggregation) = 'sum' then cast(sum(cast(value as decimal(38, 6))) as double)
                else arg_max(value, coalesce(quarter, 5))
            end as value,
            any_value(across_units) as across_units,
            count(*) as values_counted
        from unit_values
        group by unit_code, unit_type, year, indicator_code, disaggregation
    ),

    unit_periods as (
        select * from unit_quarters
        union all
        select * from unit_years
    ),

    scoped as (
        select
            *,
            unit_type as scope
        from unit_periods
        union all
        select
            *,
            'province' as scope
        from unit_periods
    ),

    plain as (
        select
            period,
            any_value(period_type) as period_type,
            scope,
            indicator_code,
            disaggregation,
            -- in exact decimals: the same figure whatever order the threads add in (a past publication's
            -- report is written again digit for digit, chiso.publications)
            case
                when any_value(across_units) = 'mean' then cast(avg(cast(value as decimal(38, 6))) as double)
                else cast(sum(cast(value as decimal(38, 6))) as double)
            end as value,
            count(*) as units_reporting,
            sum(values_counted) as values_counted
        from scoped
        group by period, scope, indicator_code, disaggregation
    ),

    derived as (
        select
            numerators.period,
            numerators.period_type,
            numerators.scope,
            derived_indicators.indicator_code,
            numerators.disaggregation,
            numerators.value as numerator,
            denominators.value as denominator,
            derived_indicators.multiplier * numerators.value / nullif(denominators.value, 0) as value,
            least(numerators.units_reporting, denominators.units_reporting) as units_reporting,
            numerators.values_counted + denominators.values_counted as values_counted
        from derived_indicators
        inner join plain as numerators on derived_indicators.numerator_code = numerators.indicator_code
        inner join plain as denominators
            on derived_indicators.denominator_code = denominators.indicator_code
                and numerators.period = denominators.period
                and numerators.scope = denominators.scope
                and numerators.disaggregation = denominators.disaggregation
    )

    select
        period,
        period_type,
        scope,
        indicator_code,
        disaggregation,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        value,
        units_reporting,
        values_counted
    from plain
    union all
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
        values_counted
    from derived;

create or replace view indicator_rollup_live as
select
    period,
    period_type,
    scope,
    indicator_code,
    disaggregation,
    numerator,
    denominator,
    value,
    units_reporting
from indicator_rollup_of('indicator_values');
