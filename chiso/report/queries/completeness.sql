-- Every expected report with its status and its slot's approval state, named for the heatmaps: one row per
-- data set × unit × period.
select
    completeness.dataset_code,
    datasets.dataset_name,
    datasets.period_type,
    completeness.unit_code,
    units.unit_name,
    completeness.unit_type,
    completeness.period,
    completeness.due_date,
    completeness.first_accepted_at,
    completeness.files,
    completeness.rejected_files,
    completeness.status,
    completeness.approval_state,
    completeness.changed_since_approval
from completeness_approvals as completeness
inner join datasets using (dataset_code)
inner join units using (unit_code)
order by datasets.rowid, units.rowid, completeness.period;
