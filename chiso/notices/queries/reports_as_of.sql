-- One row per expected report on the day in variable `as_of` (the warehouse's
-- `completeness_as_of`), with the names a message needs. chiso creates it as the temporary view
-- `reports_as_of` of the notifier's connection.
select
    reports.dataset_code,
    datasets.dataset_name,
    datasets.dataset_name_en,
    datasets.reminder_days_before,
    reports.unit_code,
    units.unit_name,
    reports.period,
    reports.period_end,
    reports.due_date,
    reports.first_accepted_at,
    reports.rejected_files,
    reports.status
from completeness_as_of(getvariable('as_of')) as reports
inner join datasets on reports.dataset_code = datasets.dataset_code
inner join units on reports.unit_code = units.unit_code
