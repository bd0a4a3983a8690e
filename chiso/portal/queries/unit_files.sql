-- One row per file of a unit ($1) or sent by it through the portal (inbox names $2), newest first ($3 at most).
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
where unit_code = $1::varchar or regexp_extract(source_path, '[^/]+$') in (select unnest($2::varchar[]))
order by received_at desc, submission_id desc
limit $3
