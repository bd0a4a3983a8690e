-- One row per slot whose values changed after its unit approved them (a newer file in force): the
-- province cannot accept it until the unit approves the new values.
select
    slots.dataset_code,
    slots.unit_code,
    units.unit_name,
    slots.period,
    slots.approved_at,
    slots.received_at
from slot_approvals as slots
left join units on slots.unit_code = units.unit_code
where slots.changed_since_approval
order by slots.received_at desc, slots.unit_code asc, slots.dataset_code asc, slots.period asc;
