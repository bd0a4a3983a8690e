-- One row per slot of the unit ($1) and period ($2) asked (null: every one), in the order a reader scans them.
select *
from slot_approvals
where ($1 is null or unit_code = $1) and ($2 is null or period = $2)
order by unit_code, dataset_code, period
