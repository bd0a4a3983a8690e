-- One row per completeness cell (data set × unit × period, as completeness) × file received for its slot
-- (duplicates aside, as completeness counts them), or one row with no file for a cell nothing was received for:
-- the cell's status, each file's submission (status), its file (the clerk's file name, received at, sent by,
-- paths), its role (first_accepted: the file whose arrival decides on_time or late; correction: a later accepted
-- one; rejected) and the source rows of its values (the one in force: status accepted).
create or replace view completeness_lineage as
with file_rows as (
    select
        submission_id,
        count(*) as value_rows,
        list(source_row order by source_row) as source_rows
    from indicator_facts
    group by submission_id
),

slot_files as (
    select
        dataset_code,
        unit_code,
        period,
        submission_id,
        status,
        file_name,
        received_at,
        sent_by,
        source_path,
        stored_path,
        case
            when status = 'rejected' then 'rejected'
            when
                row_number() over (
                    partition by dataset_code, unit_code, period, status in ('accepted', 'superseded')
                    order by received_at, submission_id
                ) = 1
                then 'first_accepted'
            else 'correction'
        end as role
    from submission_records
    where status <> 'duplicate'
)

select
    cells.dataset_code,
    cells.unit_code,
    cells.unit_type,
    cells.period,
    cells.due_date,
    cells.status as cell_status,
    cells.first_accepted_at,
    cells.files,
    slot_files.role,
    slot_files.submission_id,
    slot_files.status,
    slot_files.file_name,
    slot_files.received_at,
    slot_files.sent_by,
    slot_files.source_path,
    slot_files.stored_path,
    file_rows.value_rows,
    file_rows.source_rows
from completeness as cells
left join slot_files
    on cells.dataset_code = slot_files.dataset_code
        and cells.unit_code = slot_files.unit_code
        and cells.period = slot_files.period
left join file_rows on slot_files.submission_id = file_rows.submission_id;
