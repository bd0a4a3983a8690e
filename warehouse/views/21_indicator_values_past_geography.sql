-- One row per current value of indicator_values × unit valid on past_geography_day() (the day before the latest
-- effective_date) it is re-expressed in, or one row with unit_code and value blank when it cannot be: today's data
-- in the units of the fixed past geography (the rules: indicator_values_in_geography_of, in
-- 20_indicator_values_current_geography.sql). A new unit's values go back to its predecessors by reverse_weight;
-- one whose reverse weights are blank (its territory is not wholly the catalog's units, e.g. the new province's
-- departments) is left out and said so; older values reach the units of that day as in the current geography.
create or replace view indicator_values_past_geography as
select
    dataset_code,
    unit_code,
    period,
    indicator_code,
    disaggregation,
    value,
    note,
    submission_id,
    source_row,
    received_at,
    'past' as geography,
    allocated,
    reported_unit_code,
    reported_value,
    weight,
    succession_paths
from indicator_values_in_geography_of(past_geography_day());
