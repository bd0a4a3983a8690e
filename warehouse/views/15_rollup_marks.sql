-- One row per period × scope × indicator × disaggregation of indicator_rollup_live (what indicator_rollup
-- stores): whether the figure is official, every value it is computed from being of an accepted slot
-- unchanged since, or provisional. The official values of a figure are some of its values, so it is
-- official exactly when the roll-up of the official values counts as many values as the roll-up of all.
create or replace view rollup_marks as
with all_figures as (
    select
        period,
        period_type,
        scope,
        indicator_code,
        disaggregation,
        values_counted
    from indicator_rollup_of('indicator_values')
),

official_figures as (
    select
        period,
        scope,
        indicator_code,
        disaggregation,
        values_counted
    from indicator_rollup_of('official_values')
)

select
    all_figures.period,
    all_figures.period_type,
    all_figures.scope,
    all_figures.indicator_code,
    all_figures.disaggregation,
    all_figures.values_counted,
    coalesce(official_figures.values_counted, 0) as official_values_counted,
    coalesce(official_figures.values_counted = all_figures.values_counted, false) as official
from all_figures
left join official_figures using (period, scope, indicator_code, disaggregation);
