-- One row per slot (data set × unit × period) with a file in force or an approval action: its
-- approval state (the last action's, `received` before any), the last approval, and whether the
-- values in force changed since: an approval covers the values it was given, so a slot whose values
-- changed after its approval is `received` again (`changed_since_approval` says why).
create or replace view slot_approvals as
with last_action as (
    select *
    from approval_log
    qualify row_number() over (partition by dataset_code, unit_code, period order by action_id desc) = 1
),

last_approval as (
    select
        dataset_code,
        unit_code,
        period,
        submission_id as approved_submission_id,
        values_digest as approved_digest,
        acted_at as approved_at,
        by_email as approved_by
    from approval_log
    where action = 'approve'
    qualify row_number() over (partition by dataset_code, unit_code, period order by action_id desc) = 1
),

changed as (
    select
        slot_values.dataset_code,
        slot_values.unit_code,
        slot_values.period,
        coalesce(slot_values.values_digest, '') != last_approval.approved_digest as changed_since_approval
    from slot_values
    inner join last_action using (dataset_code, unit_code, period)
    inner join last_approval using (dataset_code, unit_code, period)
    where last_action.state in ('approved', 'accepted')
),

slots as (
    select
        dataset_code,
        unit_code,
        period
    from slot_values
    union
    select
        dataset_code,
        unit_code,
        period
    from approval_log
),

stated as (
    select
        slots.dataset_code,
        slots.unit_code,
        slots.period,
        coalesce(changed.changed_since_approval, false) as changed_since_approval,
        case
            when coalesce(changed.changed_since_approval, false) then 'received'
            else coalesce(last_action.state, 'received')
        end as state
    from slots
    left join last_action using (dataset_code, unit_code, period)
    left join changed using (dataset_code, unit_code, period)
)

select
    stated.dataset_code,
    stated.unit_code,
    stated.period,
    stated.state,
    states.official,
    states.locked,
    slot_values.submission_id,
    slot_values.received_at,
    slot_values.values_digest,
    last_action.action as last_action,
    last_action.by_email as last_action_by,
    last_action.acted_at as last_action_at,
    last_action.reason as last_reason,
    last_approval.approved_submission_id,
    last_approval.approved_at,
    last_approval.approved_by,
    stated.changed_since_approval
from stated
inner join approval_states as states using (state)
left join slot_values using (dataset_code, unit_code, period)
left join last_action using (dataset_code, unit_code, period)
left join last_approval using (dataset_code, unit_code, period);
