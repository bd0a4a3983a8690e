-- One row per expected report (data set × unit × period ended before the day in variable `as_of`,
-- while the unit existed) and its state on that day: `completeness` as of any day. chiso creates
-- it as the temporary view `reports_as_of` of the notifier's connection.
with expected as (
    select
        datasets.dataset_code,
        datasets.dataset_name,
        datasets.dataset_name_en,
        datasets.reminder_days_before,
        units.unit_code,
        units.unit_name,
        periods.period,
        periods.period_end,
        due_dates.due_date
    from datasets
    inner join units on datasets.submitter_type = units.unit_type
    inner join due_dates using (dataset_code)
    inner join periods using (period)
    where periods.period_end >= units.valid_from
        and periods.period_start <= coalesce(units.valid_to, date '9999-12-31')
        and periods.period_end < getvariable('as_of')
),

receipts as (
    select
        dataset_code,
        unit_code,
        period,
        min(received_at) filter (where status in ('accepted', 'superseded')) as first_accepted_at,
        count(*) filter (where status = 'rejected') as rejected_files
    from submission_records
    where status <> 'duplicate' and cast(received_at as date) <= getvariable('as_of')
    group by dataset_code, unit_code, period
)

select
    expected.*,
    receipts.first_accepted_at,
    coalesce(receipts.rejected_files, 0) as rejected_files,
    case
        when receipts.first_accepted_at is null and receipts.rejected_files > 0 then 'rejected_only'
        when receipts.first_accepted_at is null and expected.due_date >= getvariable('as_of') then 'not_due'
        when receipts.first_accepted_at is null then 'missing'
        when cast(receipts.first_accepted_at as date) <= expected.due_date then 'on_time'
        else 'late'
    end as status
from expected
left join receipts
    on expected.dataset_code = receipts.dataset_code
        and expected.unit_code = receipts.unit_code
        and expected.period = receipts.period
