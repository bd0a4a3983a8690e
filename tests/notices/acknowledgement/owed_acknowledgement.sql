-- One row per file accepted without a finding in an ingest run whose unit was not thanked for it yet.
select
    'received' as kind,
    records.unit_code as notice_unit,
    records.dataset_code as notice_dataset,
    records.period as notice_period,
    records.run_id,
    records.submission_id,
    records.file_name,
    records.received_at,
    records.dataset_code,
    records.period,
    datasets.dataset_name,
    datasets.dataset_name_en
from submission_records as records
inner join datasets on records.dataset_code = datasets.dataset_code
where records.status = 'accepted'
    and records.run_id not in (select runs_before_notices.run_id from runs_before_notices)
    and records.submission_id not in (select findings.submission_id from findings)
    and not told('received', records.unit_code, records.dataset_code, records.period, records.run_id)
order by records.unit_code, records.received_at;
