-- One row per slot of a unit ($1; every unit when null) and period ($2: a quarter, a year's code
-- for the year and its quarters, null for all) with a file in force or an approval action: its state
-- (slot_approvals), newest period first.
select
    approvals.dataset_code,
    approvals.unit_code,
    approvals.period,
    approvals.state,
    approvals.official,
    approvals.locked,
    approvals.submission_id,
    approvals.received_at,
    approvals.changed_since_approval,
    approvals.last_action,
    approvals.last_action_by,
    approvals.last_action_at,
    approvals.last_reason,
    approvals.approved_at,
    approvals.approved_by
from slot_approvals as approvals
where
    ($1::varchar is null or approvals.unit_code = $1::varchar)
    and ($2::varchar is null or approvals.period = $2::varchar or approvals.period like $2::varchar || 'Q_')
order by approvals.period desc, approvals.dataset_code asc, approvals.unit_code asc
