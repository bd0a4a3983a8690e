-- Append one action to the log; the state it leads to is the action's (core/kinds.py), or the state
-- kept by a reopening of a slot its deadline closed, which lets files in until open_until.
insert into approval_log (
    request_id, dataset_code, unit_code, period, action, state, by_email, acted_at, reason,
    submission_id, values_digest, open_until
)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
