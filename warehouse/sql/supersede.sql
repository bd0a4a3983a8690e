-- Per data set, unit and period, the latest received accepted submission is current;
-- each earlier one is superseded by the next one received. Idempotent, and right for
-- backfills that arrive out of order. $1: the run whose submissions may change a key.
with touched_keys as (
    select distinct
        dataset_code,
        unit_code,
        period
    from submission_records
    where run_id = $1 and status = 'accepted'
),

versions as (
    select
        submission_records.submission_id,
        lead(submission_records.submission_id) over by_receipt as newer_id,
        lead(submission_records.received_at) over by_receipt as newer_received_at
    from submission_records
    inner join touched_keys using (dataset_code, unit_code, period)
    where submission_records.status in ('accepted', 'superseded')
    window by_receipt as (
        partition by submission_records.dataset_code, submission_records.unit_code, submission_records.period
        order by submission_records.received_at, submission_records.submission_id
    )
)

update submission_records
set
    status = case when versions.newer_id is null then 'accepted' else 'superseded' end,
    superseded_by = versions.newer_id,
    superseded_at = versions.newer_received_at
from versions
where submission_records.submission_id = versions.submission_id;
