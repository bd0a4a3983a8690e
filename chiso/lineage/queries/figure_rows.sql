-- The unit values behind the figures asked for (the view $5: figure_lineage, or a geography's,
-- figure_lineage_current_geography…), each with its file and source row; in a geography also the value as reported
-- (its unit and value) and the weight that re-expressed it (blank as reported).
-- $1: the indicator, $2: the period, $3: the scope; $4: the disaggregation (null: all of them).
with lineage_rows as (
    select * from query_table($5)
    union all by name
    select
        null::varchar as reported_unit_code,
        null::double as reported_value,
        null::double as weight
    where false
)

select
    disaggregation,
    role,
    input_indicator_code,
    unit_code,
    reported_period,
    value,
    submission_id,
    status,
    file_name,
    received_at,
    sent_by,
    source_path,
    stored_path,
    source_row,
    reported_unit_code,
    reported_value,
    weight
from lineage_rows
where indicator_code = $1
    and period = $2
    and scope = $3
    and ($4 is null or disaggregation = $4)
order by disaggregation asc, role desc, unit_code asc, reported_period asc, reported_unit_code asc;
