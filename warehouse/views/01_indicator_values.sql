-- One row per unit × period × indicator × disaggregation: the current accepted value.
create or replace view indicator_values as
with current_submissions as (
    select
        submission_id,
        received_at
    from submission_records
    where status = 'accepted'
)

select
    facts.dataset_code,
    facts.unit_code,
    facts.period,
    facts.indicator_code,
    facts.disaggregation,
    facts.value,
    facts.note,
    facts.submission_id,
    facts.source_row,
    current_submissions.received_at
from indicator_facts as facts
inner join current_submissions using (submission_id);
