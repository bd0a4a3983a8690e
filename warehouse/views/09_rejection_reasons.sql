-- One row per reason of a rejected submission: what the clerk was told to fix.
create or replace view rejection_reasons as
select
    records.submission_id,
    records.file_name,
    records.dataset_code,
    records.unit_code,
    records.period,
    records.received_at,
    findings.rule,
    findings.check_name,
    findings.source_rows,
    findings.message_vi,
    findings.message_en
from findings
inner join submission_records as records using (submission_id)
where findings.severity = 'critical' and records.status = 'rejected';
