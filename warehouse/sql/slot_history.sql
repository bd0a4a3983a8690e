-- One row per file of the batch (in `batch_slot_files`) whose slot (data set × unit × period) holds
-- something that decides its verdict: the receipt of the slot's first accepted file received
-- before it, which makes this file a correction, never the slot's first report (timeliness belongs
-- to the slot); and when the province accepted the slot, which locks it (warehouse/views/11_*).
with earlier_accepted as (
    select
        batch_slot_files.submission_id,
        min(records.received_at) as slot_first_accepted_at
    from batch_slot_files
    inner join submission_records as records
        on batch_slot_files.dataset_code = records.dataset_code
            and batch_slot_files.unit_code = records.unit_code
            and batch_slot_files.period = records.period
            and batch_slot_files.received_at >= records.received_at
    where records.status in ('accepted', 'superseded')
    group by batch_slot_files.submission_id
),

locked as (
    select
        batch_slot_files.submission_id,
        approvals.last_action_at as slot_locked_at
    from batch_slot_files
    inner join slot_approvals as approvals
        on batch_slot_files.dataset_code = approvals.dataset_code
            and batch_slot_files.unit_code = approvals.unit_code
            and batch_slot_files.period = approvals.period
    where approvals.locked
)

select
    submission_id,
    earlier_accepted.slot_first_accepted_at,
    locked.slot_locked_at
from earlier_accepted
full outer join locked using (submission_id)
