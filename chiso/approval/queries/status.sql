-- One row per slot of the unit and period asked (null: every one), in the order a reader scans them.
select *
from slot_approvals
where ($unit is null or unit_code = $unit) and ($period is null or period = $period)
order by unit_code, dataset_code, period
