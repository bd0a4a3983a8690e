-- The submissions an ingest task wrote (ids above $1; the warehouse pool lets one writer run at a
-- time) with their findings: the task's OpenLineage inputs and their data-quality assertions
-- (chiso.airflow_glue.lineage).
-- Grain: one row per submission.
select
    records.submission_id,
    records.file_name,
    records.source_path,
    records.stored_path,
    records.status,
    records.value_rows,
    coalesce(
        list(
            {
                'rule': findings.rule,
                'check_name': findings.check_name,
                'severity': findings.severity,
                'offending_values': array_to_string(findings.offending_values, ', '),
                'message_en': findings.message_en
            }
            order by findings.finding_no
        ) filter (where findings.rule is not null),
        []
    ) as findings
from submission_records as records
left join findings on records.submission_id = findings.submission_id
where records.submission_id > $1::integer
group by all
order by records.submission_id
