-- One row per figure of the roll-up the report draws (period × scope × indicator × disaggregation) and
-- whether it is official (rollup_marks), made once per report as the temporary table report_figures that
-- parts.sql, share.sql and report_targets.sql read. $1: the roll-up (indicator_rollup, or official_rollup
-- whose figures are all official); $2: true for official_rollup.
create or replace temp table report_figures as
with marks as (
    select
        period,
        scope,
        indicator_code,
        disaggregation,
        official
    from rollup_marks
    where not $2  -- official_rollup needs none: its marks are not computed at all
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
    $2 or coalesce(marks.official, false) as official
from query_table($1) as figures
left join marks using (period, scope, indicator_code, disaggregation);
