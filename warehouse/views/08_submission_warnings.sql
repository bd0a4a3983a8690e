-- One row per warning (late, outlier, formula-like text) on a loaded submission, for follow-up.
create or replace view submission_warnings as
with warnings as (
    select
        submission_id,
        file_name,
        dataset_code,
        unit_code,
        period,
        received_at,
        status,
        unnest(from_json(warnings, '["json"]')) as warning
    from submissions
    where status in ('accepted', 'superseded')
)

select
    submission_id,
    file_name,
    dataset_code,
    unit_code,
    period,
    received_at,
    status,
    warning ->> 'check' as warning,
    from_json(warning -> 'rows', '["integer"]') as source_rows,
    warning ->> 'vi' as message_vi,
    warning ->> 'en' as message_en
from warnings;
