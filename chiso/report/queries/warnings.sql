-- Every warning on a loaded file, oldest file first.
select
    submission_id,
    file_name,
    dataset_code,
    unit_code,
    period,
    received_at,
    status,
    warning,
    message_vi,
    message_en
from submission_warnings
order by received_at, submission_id, warning;
