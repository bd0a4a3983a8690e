-- One row per expected submission (data set × reporting unit × period of the plan ended before
-- the day, that the unit owes: it is valid on the period's last day, valid_from <= period_end <=
-- valid_to, the rule the GX checks unit_not_yet_existing and unit_no_longer_existing apply to a file;
-- a district that ended on 2025-06-30 owes 2025Q2, not 2025Q3 nor the year 2025, and the commune that
-- succeeded it from 2025-07-01 owes 2025Q3 and the year 2025) and its state on that day, from the
-- files received by then.
-- status: on_time, late, missing (due date passed, nothing accepted), rejected_only, not_due
-- (nothing accepted or refused, due date not passed). Timeliness belongs to the slot: it is that of
-- its first accepted file; every later accepted file is a correction (corrections, last_corrected_at),
-- never late, as the GX suite timeliness_checks judges each file.
-- `completeness` is today's, in province time; `completeness_as_of(day)` any day's (the notices' reminders).
create or replace macro completeness_as_of(as_of) as table
    with expected as (
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
            and periods.period_end <= coalesce(units.valid_to, date '9999-12-31')
            -- as_of is the macro's parameter, not a column (RF02)
            and periods.period_end < as_of  -- noqa: RF02
    ),

    receipts as (
        select
            dataset_code,
            unit_code,
            period,
            min(received_at) filter (where status in ('accepted', 'superseded')) as first_accepted_at,
            max(received_at) filter (where status in ('accepted', 'superseded')) as last_accepted_at,
            count(*) filter (where status in ('accepted', 'superseded')) as accepted_files,
            count(*) filter (where status = 'rejected') as rejected_files,
            count(*) as files
        from submission_records
        where status <> 'duplicate' and cast(received_at as date) <= as_of
        group by dataset_code, unit_code, period
    )

    select
        expected.dataset_code,
        expected.unit_code,
        expected.unit_type,
        expected.period,
        expected.period_end,
        expected.due_date,
        receipts.first_accepted_at,
        coalesce(receipts.files, 0) as files,
        coalesce(receipts.rejected_files, 0) as rejected_files,
        case
            when receipts.first_accepted_at is null and receipts.rejected_files > 0 then 'rejected_only'
            when receipts.first_accepted_at is null and expected.due_date >= as_of then 'not_due'  -- noqa: RF02
            when receipts.first_accepted_at is null then 'missing'
            when cast(receipts.first_accepted_at as date) <= expected.due_date then 'on_time'
            else 'late'
        end as status,
        greatest(coalesce(receipts.accepted_files, 0) - 1, 0) as corrections,
        if(receipts.accepted_files > 1, receipts.last_accepted_at, null) as last_corrected_at
    from expected
    left join receipts
        on expected.dataset_code = receipts.dataset_code
            and expected.unit_code = receipts.unit_code
            and expected.period = receipts.period;

create or replace view completeness as
with province_today as (
    -- due dates are the province's dates, whatever the time zone of the querying process
    select cast(timezone(plan.timezone, now()) as date) as today
    from plan
)

select
    dataset_code,
    unit_code,
    unit_type,
    period,
    due_date,
    first_accepted_at,
    files,
    rejected_files,
    status,
    corrections,
    last_corrected_at
from completeness_as_of((select province_today.today from province_today));
