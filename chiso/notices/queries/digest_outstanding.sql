-- One row per unit with reports due before the day `as_of` and still without an accepted file.
select
    unit_code,
    unit_name,
    count(*) as reports,
    min(due_date) as oldest_due,
    list(dataset_code || ' ' || period order by due_date, dataset_code) as report_codes
from reports_as_of
where status in ('missing', 'rejected_only')
group by unit_code, unit_name
order by reports desc, unit_code asc;
