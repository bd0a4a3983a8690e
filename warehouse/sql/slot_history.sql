-- One row per file of the batch (in `batch_slot_files`) whose slot (data set × unit × period) holds
-- something that decides its verdict: the receipt of the slot's first accepted file received
-- before it, which makes this file a correction, never the slot's first report (timeliness belongs
-- to the slot); when the province accepted the slot, which locks it (core/kinds.py, APPROVAL_STATES);
-- and until when the province's last reopening of the slot lets files in after its data set closed
-- (lock_after_days; the closing date itself is the catalog's, joined in by expectations/frames.py).
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

last_actions as (
    select
        batch_slot_files.submission_id,
        actions.state,
        actions.acted_at
    from batch_slot_files
    inner join approval_log as actions
        on batch_slot_files.dataset_code = actions.dataset_code
            and batch_slot_files.unit_code = actions.unit_code
            and batch_slot_files.period = actions.period
    qualify row_number() over (partition by batch_slot_files.submission_id order by actions.action_id desc) = 1
),

locked as (
    -- The batch's slots only, read from the log (the view slot_approvals digests every slot's
    -- values): a slot whose last action left it in a locked state (accepted) refuses new files.
    select
        last_actions.submission_id,
        last_actions.acted_at as slot_locked_at
    from last_actions
    inner join approval_states as states on last_actions.state = states.state
    where states.locked
),

reopened as (
    -- The slot's last reopening with an expiry (one of a slot its data set's deadline closed):
    -- a later reopening replaces an earlier one, shorter or longer.
    select
        batch_slot_files.submission_id,
        actions.open_until as slot_reopened_until
    from batch_slot_files
    inner join approval_log as actions
        on batch_slot_files.dataset_code = actions.dataset_code
            and batch_slot_files.unit_code = actions.unit_code
            and batch_slot_files.period = actions.period
    where actions.action = 'reopen' and actions.open_until is not null
    qualify row_number() over (partition by batch_slot_files.submission_id order by actions.action_id desc) = 1
)

select
    submission_id,
    earlier_accepted.slot_first_accepted_at,
    locked.slot_locked_at,
    reopened.slot_reopened_until
from earlier_accepted
full outer join locked using (submission_id)
full outer join reopened using (submission_id)
