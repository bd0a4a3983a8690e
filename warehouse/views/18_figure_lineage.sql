-- One row per figure of the roll-up (period × scope × indicator × disaggregation, as indicator_rollup) × unit
-- value it is computed from: the value, its submission (status), its file (the clerk's file name, received at,
-- sent by, paths) and its source row. A target's progress is the figure of its year and scope (target is set).
-- The values counted are those of the rules of indicator_rollup_of (03_indicator_rollup_live.sql): a quarter's
-- figure counts each unit's value of the quarter; a year's, every quarter of a `sum` indicator and the latest
-- value (the year's own, else the last quarter's) of a `last` one; units are then added (or averaged, `mean`).
-- A derived indicator's figure lists the values of its numerator (role numerator) and denominator (role
-- denominator); any other figure's are role value. Recomputing a figure from its rows gives indicator_rollup's.
create or replace view figure_lineage as
with reported as (
    select
        reported.unit_code,
        units.unit_type,
        reported.period as reported_period,
        reported.indicator_code as input_indicator_code,
        reported.disaggregation,
        reported.value,
        reported.submission_id,
        reported.source_row,
        indicators.time_aggregation,
        indicators.across_units,
        periods.year,
        periods.quarter
    from indicator_values as reported
    inner join units using (unit_code)
    inner join indicators using (indicator_code)
    inner join periods using (period)
),

counted as (
    select
        *,
        reported_period as period,
        'quarter' as period_type
    from reported
    where quarter is not null
    union all
    select
        *,
        cast(year as varchar) as period,
        'year' as period_type
    from reported
    qualify
        time_aggregation = 'sum'
        or row_number() over (
            partition by unit_code, year, input_indicator_code, disaggregation order by coalesce(quarter, 5) desc
        ) = 1
),

scoped as (
    select
        *,
        unit_type as scope
    from counted
    union all
    select
        *,
        'province' as scope
    from counted
),

roles as (
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
)

select
    figures.period,
    figures.period_type,
    figures.scope,
    figures.indicator_code,
    figures.disaggregation,
    figures.value as figure_value,
    figures.units_reporting,
    targets.target,
    roles.role,
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
from indicator_rollup as figures
inner join roles on figures.indicator_code = roles.indicator_code
inner join scoped
    on roles.input_indicator_code = scoped.input_indicator_code
        and figures.period = scoped.period
        and figures.scope = scoped.scope
        and figures.disaggregation = scoped.disaggregation
inner join submission_records as records on scoped.submission_id = records.submission_id
left join targets
    on figures.indicator_code = targets.indicator_code
        and figures.disaggregation = targets.disaggregation
        and figures.scope = targets.scope
        and figures.period = cast(targets.year as varchar);
