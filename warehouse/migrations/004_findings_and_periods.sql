-- Findings as rows, instead of JSON strings re-parsed by every reader; a periods dimension,
-- instead of slicing period codes in SQL. `submissions` becomes a view over
-- `submission_records` that still shows `reasons` and `warnings` as JSON (09_submissions.sql).

-- One row per finding (a reason to reject, a warning, the duplicate note) of a submission.
create table findings (
    submission_id integer not null,
    finding_no integer not null,
    rule varchar not null,
    check_name varchar not null,
    severity varchar not null check (severity in ('critical', 'warning', 'info')),
    source_rows integer[] not null,
    offending_values varchar[] not null,
    message_vi varchar not null,
    message_en varchar not null,
    primary key (submission_id, finding_no)
);

insert into findings
with stored as (
    select
        submission_id,
        unnest(from_json(reasons, '["json"]')) as finding,
        0 as list_no
    from submissions
    union all
    select
        submission_id,
        unnest(from_json(warnings, '["json"]')) as finding,
        1 as list_no
    from submissions
),

numbered as (
    select
        submission_id,
        finding,
        row_number() over (partition by submission_id order by list_no) as finding_no
    from stored
)

select
    submission_id,
    finding_no,
    finding ->> 'rule' as rule,
    finding ->> 'check' as check_name,
    finding ->> 'severity' as severity,
    from_json(finding -> 'rows', '["integer"]') as source_rows,
    from_json(finding -> 'values', '["varchar"]') as offending_values,
    finding ->> 'vi' as message_vi,
    finding ->> 'en' as message_en
from numbered;

-- One row per received file, whatever its verdict (its findings are in `findings`).
create table submission_records (
    submission_id integer primary key,
    file_name varchar not null,
    source_path varchar,
    stored_path varchar,
    moved boolean not null default false,
    sha256 varchar not null,
    size_bytes bigint not null,
    file_format varchar not null,
    received_at timestamp not null,
    ingested_at timestamp not null,
    run_id varchar not null,
    dataset_code varchar,
    unit_code varchar,
    period varchar,
    status varchar not null check (status in ('accepted', 'rejected', 'duplicate', 'superseded')),
    value_rows integer not null,
    duplicate_of integer,
    superseded_by integer,
    superseded_at timestamp
);

insert into submission_records
select
    submission_id,
    file_name,
    source_path,
    stored_path,
    moved,
    sha256,
    size_bytes,
    file_format,
    received_at,
    ingested_at,
    run_id,
    dataset_code,
    unit_code,
    period,
    status,
    value_rows,
    duplicate_of,
    superseded_by,
    superseded_at
from submissions;

drop table submissions;
create index submission_records_sha256 on submission_records (sha256);
create index submission_records_key on submission_records (dataset_code, unit_code, period);

-- One row per period of the plan (filled from the catalog with the catalog's other tables).
create table periods (
    period varchar primary key,
    period_type varchar not null,
    year integer not null,
    quarter integer,
    period_start date not null,
    period_end date not null
);

-- One row per data set × period of its kind: the day a submission is due.
create table due_dates (
    dataset_code varchar not null,
    period varchar not null,
    due_date date not null,
    primary key (dataset_code, period)
);
