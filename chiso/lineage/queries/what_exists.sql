-- What the roll-up holds of an indicator: its periods, scopes and disaggregations (to say what to ask instead).
-- $1: the indicator.
select
    string_agg(distinct period, ' ' order by period) as periods,
    string_agg(distinct scope, ' ' order by scope) as scopes,
    string_agg(distinct disaggregation, ' ' order by disaggregation) filter (where disaggregation <> '')
        as disaggregations
from indicator_rollup
where indicator_code = $1;
