-- One row per slot the province returned (approval_log action 'return') whose unit was not told of
-- that return yet: once per return action, its id standing in the ledger's run_id.
select
    'returned' as kind,
    returns.unit_code as notice_unit,
    returns.dataset_code as notice_dataset,
    returns.period as notice_period,
    cast(returns.action_id as varchar) as run_id,
    returns.submission_id,
    returns.dataset_code,
    datasets.dataset_name,
    datasets.dataset_name_en,
    returns.unit_code,
    returns.period,
    returns.reason,
    returns.by_email as returned_by,
    returns.acted_at as returned_at,
    records.file_name,
    records.received_at
from approval_log as returns
left join datasets on returns.dataset_code = datasets.dataset_code
left join submission_records as records on returns.submission_id = records.submission_id
where returns.action = 'return'
    and not told(
        'returned', returns.unit_code, returns.dataset_code, returns.period, cast(returns.action_id as varchar)
    )
order by returns.unit_code, returns.action_id;
