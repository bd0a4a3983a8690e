-- One row per warning (late, outlier, formula-like text) on a loaded submission, for follow-up.
create or replace view submission_warnings as
select
    records.submission_id,
    records.file_name,
    records.dataset_code,
    records.unit_code,
    records.period,
    records.received_at,
    records.status,
    findings.check_name as warning,
    findings.source_rows,
    findings.message_vi,
    findings.message_en
from findings
inner join submission_records as records using (submission_id)
where findings.severity = 'warning' and records.status in ('accepted', 'superseded');
