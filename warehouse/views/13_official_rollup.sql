-- One row per period (quarter or year) × scope × indicator × disaggregation, computed from the official
-- figures only (official_values: the accepted slots unchanged since), by the rules of indicator_rollup
-- (the macro indicator_rollup_of); computed on every query, as an approval changes it without a load.
create or replace view official_rollup as
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
from indicator_rollup_of('official_values');
