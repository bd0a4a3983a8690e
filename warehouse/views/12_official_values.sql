-- One row per unit × period × indicator × disaggregation of an accepted slot whose values did not
-- change since: the province's official figures (indicator_values holds everything received).
create or replace view official_values as
select
    indicator_values.*,
    approvals.last_action_at as accepted_at,
    approvals.last_action_by as accepted_by
from indicator_values
inner join slot_approvals as approvals using (dataset_code, unit_code, period)
where approvals.official and not approvals.changed_since_approval;
