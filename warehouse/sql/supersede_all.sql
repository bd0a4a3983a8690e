-- Supersession among the records present (a past state, warehouse/publications.py rebuild_past):
-- per data set, unit and period, the latest received accepted submission is current, each earlier
-- one superseded by the next one received; as warehouse/sql/supersede.sql does for a run's keys.
with versions as (
    select
        submission_id,
        lead(submission_id) over by_receipt as newer_id,
        lead(received_at) over by_receipt as newer_received_at
    from submission_records
    where status in ('accepted', 'superseded')
    window by_receipt as (
        partition by dataset_code, unit_code, period
        order by received_at, submission_id
    )
)

update submission_records
set
    status = case when versions.newer_id is null then 'accepted' else 'superseded' end,
    superseded_by = versions.newer_id,
    superseded_at = versions.newer_received_at
from versions
where submission_records.submission_id = versions.submission_id;
