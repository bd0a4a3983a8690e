-- The plan the report is about, and how far the warehouse's data reaches.
with received as (
    select max(received_at) as as_of
    from submission_records
)

select
    plan.plan_code,
    plan.plan_name,
    plan.first_year,
    plan.last_year,
    plan.timezone,
    received.as_of
from plan
cross join received;
