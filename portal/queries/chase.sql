-- One row per expected report in one of the statuses $1 (every status: null), of the unit $2 (every unit: null),
-- in the period $3 (a quarter, a year with its quarters, or null: the whole plan), the latest due first.
select
    unit_code,
    unit_type,
    dataset_code,
    period,
    due_date,
    status,
    first_accepted_at,
    files,
    rejected_files
from completeness
where
    ($1::varchar[] is null or list_contains($1::varchar[], status))
    and ($2::varchar is null or unit_code = $2::varchar)
    and (
        $3::varchar is null
        or period = $3::varchar
        or (length($3::varchar) = 4 and left(period, 4) = $3::varchar)
    )
order by due_date desc, unit_type asc, unit_code asc, dataset_code asc
