-- Breakthrough task groups assigned and deployed, per quarter, for the department and district scopes.
with task_groups as (
    select
        scope,
        period,
        max(value) filter (where indicator_code = 'NV_GIAO') as assigned,
        max(value) filter (where indicator_code = 'NV_TRIENKHAI') as deployed,
        max(units_reporting) filter (where indicator_code = 'NV_GIAO') as units_reporting
    from indicator_rollup
    where period_type = 'quarter'
        and scope in ('department', 'district')
        and indicator_code in ('NV_GIAO', 'NV_TRIENKHAI')
    group by scope, period
),

expected_units as (
    select unit_type as scope, period, count(*) as units_expected
    from completeness
    where dataset_code in ('DP-SN', 'DP-HUYEN')
    group by unit_type, period
)

select
    task_groups.scope,
    task_groups.period,
    task_groups.assigned,
    task_groups.deployed,
    task_groups.units_reporting,
    expected_units.units_expected
from task_groups
left join expected_units using (scope, period)
order by task_groups.scope, task_groups.period;
