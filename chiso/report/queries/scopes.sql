-- One row per unit type: its name as a scope of the report, in catalog order.
select
    unit_type as scope,
    scope_name,
    scope_name_en
from unit_types
order by rowid;
