-- One row per slot its unit approved that awaits the province's acceptance (state approved), the
-- longest waiting first.
select
    slots.dataset_code,
    slots.unit_code,
    units.unit_name,
    slots.period,
    slots.approved_at,
    slots.received_at
from slot_approvals as slots
left join units on slots.unit_code = units.unit_code
where slots.state = 'approved'
order by slots.approved_at, slots.unit_code, slots.dataset_code, slots.period;
