-- One row per completeness cell × file received for it (the view completeness_lineage; one row with no file
-- when none was), for the report's companion file.
select
    dataset_code,
    unit_code,
    period,
    due_date,
    cell_status,
    role,
    submission_id,
    status,
    file_name,
    received_at,
    sent_by,
    value_rows,
    source_rows
from completeness_lineage
order by dataset_code, unit_code, period, received_at, submission_id;
