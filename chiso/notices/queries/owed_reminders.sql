-- One row per expected report still without an accepted file on the day `as_of` whose unit is owed a
-- reminder and was not reminded yet: `due_soon` from reminder_days_before days before the due
-- date, `overdue` from the day after it.
with reminders as (
    select
        reports.*,
        case when reports.due_date < getvariable('as_of') then 'overdue' else 'due_soon' end as kind
    from reports_as_of as reports
    where reports.first_accepted_at is null
        and (
            reports.due_date < getvariable('as_of')
            or reports.due_date - reports.reminder_days_before <= getvariable('as_of')
        )
)

select
    reminders.kind,
    reminders.unit_code,
    reminders.unit_name,
    reminders.dataset_code,
    reminders.dataset_name,
    reminders.dataset_name_en,
    reminders.period,
    reminders.due_date,
    abs(date_diff('day', getvariable('as_of'), reminders.due_date)) as days,
    reminders.rejected_files,
    reminders.unit_code as notice_unit,
    reminders.dataset_code as notice_dataset,
    reminders.period as notice_period,
    '' as run_id,
    null as submission_id
from reminders
where not told(reminders.kind, reminders.unit_code, reminders.dataset_code, reminders.period, '')
order by reminders.unit_code, reminders.kind, reminders.due_date, reminders.dataset_code;
