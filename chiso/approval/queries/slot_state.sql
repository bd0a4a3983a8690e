-- One row for the slot asked (data set, unit, period), if it has a file in force or an action.
select *
from slot_approvals
where dataset_code = $1 and unit_code = $2 and period = $3
