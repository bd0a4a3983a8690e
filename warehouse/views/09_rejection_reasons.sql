-- One row per reason of a rejected submission: what the clerk was told to fix.
create or replace view rejection_reasons as
with reasons as (
    select
        submission_id,
        file_name,
        dataset_code,
        unit_code,
        period,
        received_at,
        unnest(from_json(reasons, '["json"]')) as reason
    from submissions
    where status = 'rejected'
)

select
    submission_id,
    file_name,
    dataset_code,
    unit_code,
    period,
    received_at,
    reason ->> 'rule' as rule,
    reason ->> 'check' as check_name,
    from_json(reason -> 'rows', '["integer"]') as source_rows,
    reason ->> 'vi' as message_vi,
    reason ->> 'en' as message_en
from reasons;
