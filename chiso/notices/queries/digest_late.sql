-- One row per late file loaded in the 7 days up to the day `as_of` (by day of ingestion).
select
    records.file_name,
    records.dataset_code,
    records.unit_code,
    records.period,
    records.received_at,
    due_dates.due_date,
    date_diff('day', due_dates.due_date, cast(records.received_at as date)) as days_late
from submission_records as records
inner join due_dates on records.dataset_code = due_dates.dataset_code and records.period = due_dates.period
where records.status in ('accepted', 'superseded')
    and cast(records.ingested_at as date) between getvariable('as_of') - 6 and getvariable('as_of')
    and exists (
        select 1 from findings
        where findings.submission_id = records.submission_id and findings.check_name = 'late'
    )
order by records.received_at, records.file_name;
