-- What the roll-up holds of an indicator: its periods, scopes and disaggregations (to say what to ask instead).
-- $1: the indicator; $2: the roll-up (indicator_rollup, or a geography's).
select
    string_agg(distinct period, ' ' order by period) as periods,
    string_agg(distinct scope, ' ' order by scope) as scopes,
    string_agg(distinct disaggregation, ' ' order by disaggregation) filter (where disaggregation <> '')
        as disaggregations
from query_table($2)
where indicator_code = $1;
