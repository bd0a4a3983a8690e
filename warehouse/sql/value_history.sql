-- One row per unit × indicator × breakdown among $1 (unit codes): the robust centre and
-- spread of the unit's current values, for outlier warnings (modified z-score, Iglewicz–Hoaglin).
select
    unit_code,
    indicator_code,
    disaggregation,
    count(*) as history_count,
    median(value) as history_median,
    1.4826 * mad(value) as history_scale
from indicator_values
where unit_code in (select unnest($1::varchar[]))
group by unit_code, indicator_code, disaggregation
