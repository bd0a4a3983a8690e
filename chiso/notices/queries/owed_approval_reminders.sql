-- One row per slot waiting for its unit's approval (received or returned, a file in force) longer than
-- its data set allows on the day `as_of`: more than approve_within_days days since that file was
-- received (blank: never). Once per slot and file in force: the file's id stands in the ledger's
-- run_id, so a newer file starts the wait again.
select
    'awaiting_approval' as kind,
    slots.unit_code as notice_unit,
    slots.dataset_code as notice_dataset,
    slots.period as notice_period,
    cast(slots.submission_id as varchar) as run_id,
    slots.submission_id,
    slots.dataset_code,
    datasets.dataset_name,
    datasets.dataset_name_en,
    slots.unit_code,
    slots.period,
    slots.state,
    slots.changed_since_approval,
    records.file_name,
    slots.received_at,
    cast(slots.received_at as date) + datasets.approve_within_days as approve_by_date,
    date_diff('day', cast(slots.received_at as date), getvariable('as_of')) as days
from slot_approvals as slots
inner join datasets on slots.dataset_code = datasets.dataset_code
inner join submission_records as records on slots.submission_id = records.submission_id
where slots.state in ('received', 'returned')
    and datasets.approve_within_days is not null
    and date_diff('day', cast(slots.received_at as date), getvariable('as_of')) > datasets.approve_within_days
    and not told(
        'awaiting_approval', slots.unit_code, slots.dataset_code, slots.period, cast(slots.submission_id as varchar)
    )
order by slots.unit_code, slots.received_at, slots.dataset_code, slots.period;
