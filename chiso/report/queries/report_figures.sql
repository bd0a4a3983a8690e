-- One row per figure of the roll-up the report draws (period × scope × indicator × disaggregation) and
-- whether it is official (rollup_marks), made once per report as the temporary table report_figures that
-- parts.sql, share.sql and report_targets.sql read. $1: the roll-up (indicator_rollup, or official_rollup
-- whose figures are all official, or a geography's: indicator_rollup_current_geography, _past_geography); $2: true
-- for official_rollup; $3: the geography ('as_reported', 'current', 'past'). A figure re-expressed in another
-- geography is never official (the province accepts reports as reported); it says whether it was allocated by a
-- split weight and whether it is complete (today's roll-ups, as reported, have neither column: false, true).
create or replace temp table report_figures as
with marks as (
    select
        period,
        scope,
        indicator_code,
        disaggregation,
        official
    from rollup_marks
    -- official_rollup and the geographies need none: not computed at all ($2, $3 are parameters: ST10)
    where not $2 and $3 = 'as_reported'  -- noqa: ST10
),

figures as (
    -- the roll-up's columns, and allocated and complete blank when it has none (as reported)
    select * from query_table($1)
    union all by name
    select
        null::boolean as allocated,
        null::boolean as complete
    where false  -- noqa: ST10
)

select
    figures.period,
    figures.period_type,
    figures.scope,
    figures.indicator_code,
    figures.disaggregation,
    figures.numerator,
    figures.denominator,
    figures.value,
    figures.units_reporting,
    $2 or coalesce(marks.official, false) as official,
    $3::varchar as geography,
    coalesce(figures.allocated, false) as allocated,
    coalesce(figures.complete, true) as complete
from figures
left join marks using (period, scope, indicator_code, disaggregation);
