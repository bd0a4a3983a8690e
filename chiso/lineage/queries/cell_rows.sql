-- The files behind one cell of the completeness grid (the view completeness_lineage), in order of arrival.
-- $1: the data set, $2: the unit, $3: the period.
select
    dataset_code,
    unit_code,
    period,
    due_date,
    cell_status,
    first_accepted_at,
    files,
    role,
    submission_id,
    status,
    file_name,
    received_at,
    sent_by,
    source_path,
    stored_path,
    value_rows,
    source_rows
from completeness_lineage
where dataset_code = $1 and unit_code = $2 and period = $3
order by received_at nulls first, submission_id;
