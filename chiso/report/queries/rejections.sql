-- Every reason of every rejected file, oldest file first.
select
    submission_id,
    file_name,
    dataset_code,
    unit_code,
    period,
    received_at,
    rule,
    check_name,
    message_vi,
    message_en
from rejection_reasons
order by received_at, submission_id, try_cast(rule as integer) nulls last, rule;
