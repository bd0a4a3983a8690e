-- One row per received file, newest first ($4 at most; null: all), that is of the unit $1,
-- or received under one of the portal's inbox names $2 (its sends), or has the status $3.
-- A null $1 or $3 and an empty $2 select nothing: each page names what it shows.
with named_files as (
    select
        *,
        regexp_extract(source_path, '[^/]+$') as inbox_name
    from submission_records
)

select
    submission_id,
    file_name,
    inbox_name,
    received_at,
    dataset_code,
    unit_code,
    period,
    status,
    superseded_by,
    duplicate_of
from named_files
where
    unit_code = $1::varchar
    or inbox_name in (select unnest($2::varchar[]))
    or status = $3::varchar
order by received_at desc, submission_id desc
limit $4
