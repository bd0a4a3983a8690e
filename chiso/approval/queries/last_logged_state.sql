-- The state the slot's last logged action left it in (none: no action yet); unlike slot_approvals,
-- not turned back to `received` by values changed since an approval.
select state
from approval_log
where dataset_code = $1 and unit_code = $2 and period = $3
order by action_id desc
limit 1
