-- One row per rejected file of every unit, newest first ($1 at most), for the province.
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
where status = 'rejected'
order by received_at desc, submission_id desc
limit $1
