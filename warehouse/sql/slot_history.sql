-- One row per file of the batch (in `batch_slot_files`) whose slot (data set × unit × period)
-- already holds an accepted file received before it: the first such file's receipt, which makes
-- this file a correction of the slot, never its first report (timeliness belongs to the slot).
with earlier_accepted as (
    select
        batch_slot_files.submission_id,
        records.received_at
    from batch_slot_files
    inner join submission_records as records
        on batch_slot_files.dataset_code = records.dataset_code
            and batch_slot_files.unit_code = records.unit_code
            and batch_slot_files.period = records.period
            and batch_slot_files.received_at >= records.received_at
    where records.status in ('accepted', 'superseded')
)

select
    submission_id,
    min(received_at) as slot_first_accepted_at
from earlier_accepted
group by submission_id
