-- One row per day the catalog's units changed (unit_successions' effective dates), for the marks on
-- the report's series: the unit types that merged into others that day (not those whose parent
-- merged too: a province's departments follow it), and those that ended that day (every unit of
-- the type ended before it), each with its names.
with changes as (
    select
        successions.effective_date,
        units.unit_type,
        bool_and(
            exists (
                select 1
                from unit_successions as parents
                where
                    parents.from_code = units.parent_code
                    and parents.effective_date = successions.effective_date
            )
        ) as follows_parent
    from unit_successions as successions
    inner join units on successions.from_code = units.unit_code
    group by successions.effective_date, units.unit_type
),

described as (
    select
        changes.effective_date,
        changes.follows_parent,
        unit_types.unit_type_name,
        unit_types.scope_name_en,
        unit_types.rowid as type_order,
        not exists (
            select 1
            from units
            where
                units.unit_type = changes.unit_type
                and coalesce(units.valid_to, date '9999-12-31') >= changes.effective_date
        ) as type_ended
    from changes
    inner join unit_types on changes.unit_type = unit_types.unit_type
)

select
    effective_date,
    list(
        { 'name': unit_type_name, 'name_en': scope_name_en, 'ended': type_ended }
        order by type_ended, type_order
    ) as changes
from described
where type_ended or not follows_parent
group by effective_date
order by effective_date;
