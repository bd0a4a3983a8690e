-- One row per reporting unit: how many of its expected reports are in each completeness status,
-- for the period $1: a quarter (2017Q3), a year (2017: the year's report and its quarters), or null (the whole plan).
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
where
    $1::varchar is null
    or period = $1::varchar
    or (length($1::varchar) = 4 and left(period, 4) = $1::varchar)
group by unit_code, unit_type
order by unit_type asc, unit_code asc
