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
    submissions.status,
    submissions.received_at as valid_from,
    submissions.superseded_at as valid_to,
    submissions.superseded_by
from indicator_facts as facts
inner join submissions using (submission_id);
