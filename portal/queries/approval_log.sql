-- The latest approval actions ($3 at most) of a unit ($1; every unit when null) and period ($2, as in
-- approvals.sql), newest first: who did what, when and why.
select
    log.action_id,
    log.dataset_code,
    log.unit_code,
    log.period,
    log.action,
    log.state,
    log.by_email,
    log.acted_at,
    log.reason,
    log.submission_id
from approval_log as log
where
    ($1::varchar is null or log.unit_code = $1::varchar)
    and ($2::varchar is null or log.period = $2::varchar or log.period like $2::varchar || 'Q_')
order by log.action_id desc
limit $3
