-- One row per file received under one of the portal's inbox names ($1): the verdicts of sends.
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
where regexp_extract(source_path, '[^/]+$') in (select unnest($1::varchar[]))
