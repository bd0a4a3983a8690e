-- One row per value of every submission ever accepted, with when it was known and until when.
create or replace view indicator_history as
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
    submission_records.status,
    submission_records.received_at as valid_from,
    submission_records.superseded_at as valid_to,
    submission_records.superseded_by
from indicator_facts as facts
inner join submission_records using (submission_id);
