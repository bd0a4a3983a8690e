-- One row per file refused in the 7 days up to the day `as_of` (by day of ingestion), with its first reason.
with reasons as (
    select
        submission_id,
        count(*) as reasons,
        arg_min(message_vi, finding_no) as first_vi,
        arg_min(message_en, finding_no) as first_en
    from findings
    where severity = 'critical'
    group by submission_id
)

select
    records.file_name,
    records.dataset_code,
    records.unit_code,
    records.period,
    records.received_at,
    reasons.reasons,
    reasons.first_vi,
    reasons.first_en,
    units.unit_code is not null as unit_known
from submission_records as records
left join units on records.unit_code = units.unit_code
left join reasons on records.submission_id = reasons.submission_id
where records.status = 'rejected'
    and cast(records.ingested_at as date) between getvariable('as_of') - 6 and getvariable('as_of')
order by records.received_at, records.submission_id;
