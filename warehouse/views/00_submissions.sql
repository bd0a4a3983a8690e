-- One row per received file, whatever its verdict: its record, with its reasons and warnings as JSON lists.
create or replace view submissions as
with finding_lists as (
    select
        submission_id,
        to_json(list({
            'rule': rule,
            'check': check_name,
            'severity': severity,
            'rows': source_rows,
            'values': offending_values,
            'vi': message_vi,
            'en': message_en
        } order by finding_no) filter (where severity <> 'warning')) as reasons,
        to_json(list({
            'rule': rule,
            'check': check_name,
            'severity': severity,
            'rows': source_rows,
            'values': offending_values,
            'vi': message_vi,
            'en': message_en
        } order by finding_no) filter (where severity = 'warning')) as warnings
    from findings
    group by submission_id
)

select
    records.submission_id,
    records.file_name,
    records.source_path,
    records.stored_path,
    records.moved,
    records.sha256,
    records.size_bytes,
    records.file_format,
    records.received_at,
    records.ingested_at,
    records.run_id,
    records.dataset_code,
    records.unit_code,
    records.period,
    records.status,
    coalesce(finding_lists.reasons, '[]'::json) as reasons,
    coalesce(finding_lists.warnings, '[]'::json) as warnings,
    records.value_rows,
    records.duplicate_of,
    records.superseded_by,
    records.superseded_at,
    records.sent_by
from submission_records as records
left join finding_lists using (submission_id);
