-- One row per file of an ingest run that someone is owed a notice about and was not told of yet:
-- refused (its unit, or the province when no known unit sent it), late (the slot's first accepted
-- report, after the due date: a correction is never late), or accepted with warnings.
-- Runs loaded before notices existed owe nothing.
with warned as (
    select
        submission_id,
        bool_or(check_name = 'late') as late
    from findings
    -- a correction alone owes no notice: it is never late (timeliness is the slot's), nothing to do
    where severity = 'warning' and check_name <> 'correction'
    group by submission_id
),

files as (
    select
        records.submission_id,
        records.file_name,
        records.received_at,
        records.run_id,
        records.status,
        records.dataset_code,
        records.unit_code,
        records.period,
        case
            when records.status = 'rejected' and units.unit_code is not null then 'rejected'
            when records.status = 'rejected' then 'unattributed'
            when warned.late then 'late'
            else 'warnings'
        end as kind
    from submission_records as records
    left join units on records.unit_code = units.unit_code
    left join warned on records.submission_id = warned.submission_id
    where records.run_id not in (select runs_before_notices.run_id from runs_before_notices)
        and (
            records.status = 'rejected'
            or (records.status = 'accepted' and warned.late is not null)
            -- the slot's late first report stays late once a correction superseded it
            or (records.status = 'superseded' and warned.late)
        )
),

keyed as (
    select
        files.*,
        if(files.kind = 'unattributed', plan.province_code, files.unit_code) as notice_unit,
        if(files.kind = 'unattributed', '', coalesce(files.dataset_code, '')) as notice_dataset,
        if(files.kind = 'unattributed', '', coalesce(files.period, '')) as notice_period
    from files
    cross join plan
),

in_force as (
    select
        dataset_code,
        unit_code,
        period,
        file_name,
        received_at
    from submission_records
    where status = 'accepted'
)

select
    keyed.kind,
    keyed.notice_unit,
    keyed.notice_dataset,
    keyed.notice_period,
    keyed.run_id,
    keyed.submission_id,
    keyed.file_name,
    keyed.received_at,
    keyed.dataset_code,
    keyed.unit_code,
    keyed.period,
    datasets.dataset_name,
    datasets.dataset_name_en,
    due_dates.due_date,
    date_diff('day', due_dates.due_date, cast(keyed.received_at as date)) as days_late,
    in_force.file_name as in_force_file_name,
    in_force.received_at as in_force_received_at
from keyed
left join datasets on keyed.dataset_code = datasets.dataset_code
left join due_dates on keyed.dataset_code = due_dates.dataset_code and keyed.period = due_dates.period
left join in_force
    on keyed.kind = 'rejected'
        and keyed.dataset_code = in_force.dataset_code
        and keyed.unit_code = in_force.unit_code
        and keyed.period = in_force.period
where not told(keyed.kind, keyed.notice_unit, keyed.notice_dataset, keyed.notice_period, keyed.run_id)
order by keyed.notice_unit, keyed.received_at, keyed.submission_id;
