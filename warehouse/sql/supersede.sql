-- Per data set, unit and period, the latest received accepted submission is current;
-- each earlier one is superseded by the next one received. Idempotent, and right for
-- backfills that arrive out of order. $1: the run whose submissions may change a key.
with touched_keys as (
    select distinct dataset_code, unit_code, period
    from submissions
    where run_id = $1 and status = 'accepted'
),

versions as (
    select
        submissions.submission_id,
        lead(submissions.submission_id) over by_receipt as newer_id,
        lead(submissions.received_at) over by_receipt as newer_received_at
    from submissions
    inner join touched_keys using (dataset_code, unit_code, period)
    where submissions.status in ('accepted', 'superseded')
    window by_receipt as (
        partition by submissions.dataset_code, submissions.unit_code, submissions.period
        order by submissions.received_at, submissions.submission_id
    )
)

update submissions
set
    status = case when versions.newer_id is null then 'accepted' else 'superseded' end,
    superseded_by = versions.newer_id,
    superseded_at = versions.newer_received_at
from versions
where submissions.submission_id = versions.submission_id;
