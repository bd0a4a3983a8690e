-- One row per reporting unit: how many of its expected reports are in each completeness status.
select
    unit_code,
    unit_type,
    count(*) as expected,
    count(*) filter (where status = 'on_time') as on_time,
    count(*) filter (where status = 'late') as late,
    count(*) filter (where status = 'missing') as missing,
    count(*) filter (where status = 'rejected_only') as rejected_only,
    count(*) filter (where status = 'not_due') as not_due
from completeness
group by unit_code, unit_type
order by unit_type asc, unit_code asc
