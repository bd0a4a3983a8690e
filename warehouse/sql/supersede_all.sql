-- Supersession among the records present (a past state, warehouse/publications.py rebuild_past):
-- per data set, unit and period, the latest received accepted submission is current, each earlier
-- one superseded by the next one received; as warehouse/sql/supersede.sql does for a run's keys.
-- Only the records whose supersession differs are updated (those superseded after the publication).
with versions as (
    select
        submission_id,
        status,
        superseded_by,
        superseded_at,
        lead(submission_id) over by_receipt as newer_id,
        lead(received_at) over by_receipt as newer_received_at
    from submission_records
    where status in ('accepted', 'superseded')
    window by_receipt as (
        partition by dataset_code, unit_code, period
        order by received_at, submission_id
    )
),

changed as (
    select
        submission_id,
        newer_id,
        newer_received_at,
        case when newer_id is null then 'accepted' else 'superseded' end as new_status
    from versions
    where
        status is distinct from (case when newer_id is null then 'accepted' else 'superseded' end)
        or superseded_by is distinct from newer_id
        or superseded_at is distinct from newer_received_at
)

update submission_records
set
    status = changed.new_status,
    superseded_by = changed.newer_id,
    superseded_at = changed.newer_received_at
from changed
where submission_records.submission_id = changed.submission_id;
