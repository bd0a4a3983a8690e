-- One row per report owed by a unit ($1; every unit when null): data set × period, due date, completeness status.
select
    dataset_code,
    unit_code,
    period,
    due_date,
    status,
    files,
    rejected_files,
    first_accepted_at
from completeness
where $1::varchar is null or unit_code = $1::varchar
order by due_date desc, dataset_code asc, unit_code asc
