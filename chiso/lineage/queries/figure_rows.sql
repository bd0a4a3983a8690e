-- The unit values behind the figures asked for (the view figure_lineage), each with its file and source row.
-- $1: the indicator, $2: the period, $3: the scope; $4: the disaggregation (null: all of them).
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
    source_row
from figure_lineage
where indicator_code = $1
    and period = $2
    and scope = $3
    and ($4 is null or disaggregation = $4)
order by disaggregation asc, role desc, unit_code asc, reported_period asc;
