-- One row per expected submission (data set × reporting unit × ended period of the plan, while the unit existed).
-- status: on_time, late, missing (due date passed, nothing accepted), rejected_only,
-- not_due (not received, due date not passed).
create or replace view completeness as
with province_today as (
    -- due dates are the province's dates, whatever the time zone of the querying process
    select cast(timezone(plan.timezone, now()) as date) as today
    from plan
),

expected as (
    select
        datasets.dataset_code,
        units.unit_code,
        units.unit_type,
        periods.period,
        periods.period_end,
        due_dates.due_date
    from datasets
    inner join units on datasets.submitter_type = units.unit_type
    inner join due_dates using (dataset_code)
    inner join periods using (period)
    where periods.period_end >= units.valid_from
        and periods.period_start <= coalesce(units.valid_to, date '9999-12-31')
        and periods.period_end < (select province_today.today from province_today)
),

receipts as (
    select
        dataset_code,
        unit_code,
        period,
        min(received_at) filter (where status in ('accepted', 'superseded')) as first_accepted_at,
        count(*) filter (where status = 'rejected') as rejected_files,
        count(*) as files
    from submission_records
    where status <> 'duplicate'
    group by dataset_code, unit_code, period
)

select
    expected.dataset_code,
    expected.unit_code,
    expected.unit_type,
    expected.period,
    expected.due_date,
    receipts.first_accepted_at,
    coalesce(receipts.files, 0) as files,
    coalesce(receipts.rejected_files, 0) as rejected_files,
    case
        when receipts.first_accepted_at is null and receipts.rejected_files > 0 then 'rejected_only'
        when receipts.first_accepted_at is null and expected.due_date >= province_today.today then 'not_due'
        when receipts.first_accepted_at is null then 'missing'
        when cast(receipts.first_accepted_at as date) <= expected.due_date then 'on_time'
        else 'late'
    end as status
from expected
cross join province_today
left join receipts
    on expected.dataset_code = receipts.dataset_code
        and expected.unit_code = receipts.unit_code
        and expected.period = receipts.period;
