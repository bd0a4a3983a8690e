-- One row per figure of the roll-up (period × scope × indicator × disaggregation, as indicator_rollup) × unit
-- value it is computed from: the value, its submission (status), its file (the clerk's file name, received at,
-- sent by, paths) and its source row. A target's progress is the figure of its year and scope (target is set).
-- The values counted are those of the rules of indicator_rollup_of (03_indicator_rollup_live.sql): a quarter's
-- figure counts each unit's value of the quarter; a year's, every quarter of a `sum` indicator and the latest
-- value (the year's own, else the last quarter's) of a `last` one; units are then added (or averaged, `mean`).
-- A derived indicator's figure lists the values of its numerator (role numerator) and denominator (role
-- denominator); any other figure's are role value. Recomputing a figure from its rows gives indicator_rollup's.
-- The figure's indicator, period and scope are the window's partition: a query for one figure reads its values only.
-- Written once, as the table macro `figure_lineage_of(values_view, rollup_view)`: the lineage of the figures of
-- rollup_view from the values of values_view (figure_lineage_current_geography is that of the current geography).
create or replace macro figure_lineage_of(values_view, rollup_view) as table
    with inputs as (
        select
            indicator_code,
            'value' as role,
            indicator_code as input_indicator_code
        from indicators
        union all
        select
            indicator_code,
            'numerator' as role,
            numerator_code as input_indicator_code
        from derived_indicators
        union all
        select
            indicator_code,
            'denominator' as role,
            denominator_code as input_indicator_code
        from derived_indicators
    ),

    figure_periods as (
    -- the periods a figure's values are reported for: a quarter's own; a year's, its quarters and itself
        select
            period,
            'quarter' as period_type,
            period as reported_period,
            quarter
        from periods
        where quarter is not null
        union all
        select
            cast(years.year as varchar) as period,
            'year' as period_type,
            reported.period as reported_period,
            reported.quarter
        from periods as years
        inner join periods as reported on years.year = reported.year
        where years.quarter is null
    ),

    counted as (
        select
            inputs.indicator_code,
            inputs.role,
            inputs.input_indicator_code,
            indicators.time_aggregation,
            indicators.across_units,
            reported.unit_code,
            units.unit_type,
            figure_periods.period,
            figure_periods.period_type,
            reported.period as reported_period,
            reported.disaggregation,
            reported.value,
            reported.submission_id,
            reported.source_row
        -- values_view is the macro's parameter, not a column (RF02)
        from query_table(values_view) as reported  -- noqa: RF02
        inner join inputs on reported.indicator_code = inputs.input_indicator_code
        inner join indicators on reported.indicator_code = indicators.indicator_code
        inner join units on reported.unit_code = units.unit_code
        inner join figure_periods on reported.period = figure_periods.reported_period
        qualify
            figure_periods.period_type = 'quarter'
            or indicators.time_aggregation = 'sum'
            or coalesce(figure_periods.quarter, 5) = max(coalesce(figure_periods.quarter, 5)) over (
                partition by
                    inputs.indicator_code,
                    inputs.role,
                    figure_periods.period_type,
                    figure_periods.period,
                    reported.unit_code,
                    reported.disaggregation
            )
    ),

    scopes as (
    -- each unit's values count in its type's scope and in the province's
        select
            unit_type,
            unit_type as scope
        from unit_types
        union all
        select
            unit_type,
            'province' as scope
        from unit_types
    ),

    scoped as (
        select
            counted.*,
            scopes.scope
        from counted
        inner join scopes on counted.unit_type = scopes.unit_type
    )

    select
        scoped.period,
        scoped.period_type,
        scoped.scope,
        scoped.indicator_code,
        scoped.disaggregation,
        figures.value as figure_value,
        figures.units_reporting,
        targets.target,
        scoped.role,
        scoped.input_indicator_code,
        scoped.time_aggregation,
        scoped.across_units,
        scoped.unit_code,
        scoped.unit_type,
        scoped.reported_period,
        scoped.value,
        scoped.submission_id,
        records.status,
        records.dataset_code,
        records.file_name,
        records.received_at,
        records.sent_by,
        records.source_path,
        records.stored_path,
        scoped.source_row
    from scoped
    -- rollup_view is the macro's parameter, not a column (RF02)
    inner join query_table(rollup_view) as figures  -- noqa: RF02
        on scoped.indicator_code = figures.indicator_code
            and scoped.period = figures.period
            and scoped.scope = figures.scope
            and scoped.disaggregation = figures.disaggregation
    inner join submission_records as records on scoped.submission_id = records.submission_id
    left join targets
        on scoped.indicator_code = targets.indicator_code
            and scoped.disaggregation = targets.disaggregation
            and scoped.scope = targets.scope
            and scoped.period = cast(targets.year as varchar);

create or replace view figure_lineage as
select * from figure_lineage_of('indicator_values', 'indicator_rollup');
