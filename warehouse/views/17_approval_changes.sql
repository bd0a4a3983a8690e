-- One row per value that differs (slot × indicator × disaggregation) between the file a slot's last
-- approval covered and the file in force now, for the slots whose values changed since approval:
-- what the unit's approver is asked to approve again, old and new side by side.
create or replace view approval_changes as
with changed_slots as (
    select
        dataset_code,
        unit_code,
        period,
        approved_submission_id,
        approved_at,
        approved_by,
        submission_id
    from slot_approvals
    where changed_since_approval
),

approved_values as (
    select
        changed_slots.dataset_code,
        changed_slots.unit_code,
        changed_slots.period,
        facts.indicator_code,
        facts.disaggregation,
        facts.value
    from changed_slots
    inner join indicator_facts as facts on changed_slots.approved_submission_id = facts.submission_id
),

values_in_force as (
    select
        changed_slots.dataset_code,
        changed_slots.unit_code,
        changed_slots.period,
        facts.indicator_code,
        facts.disaggregation,
        facts.value
    from changed_slots
    inner join indicator_facts as facts on changed_slots.submission_id = facts.submission_id
),

differences as (
    select
        dataset_code,
        unit_code,
        period,
        indicator_code,
        disaggregation,
        approved_values.value as approved_value,
        values_in_force.value as value_now
    from approved_values
    full outer join values_in_force using (dataset_code, unit_code, period, indicator_code, disaggregation)
    where approved_values.value is distinct from values_in_force.value
)

select
    differences.dataset_code,
    differences.unit_code,
    differences.period,
    differences.indicator_code,
    differences.disaggregation,
    differences.approved_value,
    differences.value_now,
    changed_slots.approved_submission_id,
    changed_slots.submission_id,
    changed_slots.approved_at,
    changed_slots.approved_by
from differences
inner join changed_slots using (dataset_code, unit_code, period);
