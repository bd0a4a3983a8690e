-- One row per expected report (data set × unit × period, as in completeness): its completeness status
-- and its slot's approval state (slot_approvals; null while no file is in force and no action was taken).
create or replace view completeness_approvals as
select
    completeness.dataset_code,
    completeness.unit_code,
    completeness.unit_type,
    completeness.period,
    completeness.due_date,
    completeness.first_accepted_at,
    completeness.files,
    completeness.rejected_files,
    completeness.status,
    completeness.corrections,
    completeness.last_corrected_at,
    approvals.state as approval_state,
    approvals.changed_since_approval,
    approvals.last_action_at as approval_changed_at
from completeness
left join slot_approvals as approvals using (dataset_code, unit_code, period);
