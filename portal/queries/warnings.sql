-- One row per warning on a loaded file of every unit, newest first ($1 at most), for the province.
select
    submission_id,
    file_name,
    dataset_code,
    unit_code,
    period,
    received_at,
    warning,
    source_rows,
    message_vi,
    message_en
from submission_warnings
order by received_at desc, submission_id desc
limit $1
