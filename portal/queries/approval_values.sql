-- One row per value of the files in force given ($1, submission ids): what an approver vouches for.
select
    facts.submission_id,
    facts.indicator_code,
    indicators.indicator_name,
    indicators.indicator_name_en,
    facts.disaggregation,
    facts.value,
    indicators.measure_unit
from indicator_facts as facts
inner join indicators using (indicator_code)
where list_contains($1::bigint[], facts.submission_id)
order by facts.submission_id asc, facts.source_row asc
