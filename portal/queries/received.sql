-- One row per file received by any channel (the portal, or a copy into the inbox), newest first ($2 at most),
-- of the period $1 (a quarter, a year with its quarters, or null: every file, a file of no known period too).
select
    submission_id,
    file_name,
    regexp_extract(source_path, '[^/]+$') as inbox_name,
    received_at,
    dataset_code,
    unit_code,
    period,
    status,
    superseded_by,
    duplicate_of
from submission_records
where
    $1::varchar is null
    or period = $1::varchar
    or (length($1::varchar) = 4 and left(period, 4) = $1::varchar)
order by received_at desc, submission_id desc
limit $2
