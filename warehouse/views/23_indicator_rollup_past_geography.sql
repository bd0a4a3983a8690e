-- One row per period (quarter or year) × scope × indicator × disaggregation of the fixed past geography (the
-- units valid on past_geography_day()): the roll-up of indicator_values_past_geography by the rules of the macro
-- indicator_rollup_in_geography_of (22_indicator_rollup_current_geography.sql), with allocated and complete; a
-- figure with complete false lacks the values of a unit whose reverse weights are blank (not re-expressible).
create or replace view indicator_rollup_past_geography as
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
    'past' as geography,
    allocated,
    complete
from indicator_rollup_in_geography_of('indicator_values_past_geography');
