-- One row per data set: its latest period due before the day `as_of`, and how its expected reports stand.
with latest as (
    select
        dataset_code,
        max(due_date) as due_date
    from reports_as_of
    where due_date < getvariable('as_of')
    group by dataset_code
)

select
    reports.dataset_code,
    reports.period,
    reports.due_date,
    count(*) as expected,
    count(*) filter (where reports.status = 'on_time') as on_time,
    count(*) filter (where reports.status = 'late') as late,
    count(*) filter (where reports.status = 'missing') as missing,
    count(*) filter (where reports.status = 'rejected_only') as rejected_only
from reports_as_of as reports
inner join latest on reports.dataset_code = latest.dataset_code and reports.due_date = latest.due_date
group by reports.dataset_code, reports.period, reports.due_date
order by reports.dataset_code;
