-- Store the roll-up of the current values (run by the loader after each run, in one transaction).
delete from indicator_rollup_current;

insert into indicator_rollup_current
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
from indicator_rollup_live;
