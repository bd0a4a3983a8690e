-- One row per received file, whatever its verdict.
create table submissions (
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
    reasons json not null,
    warnings json not null,
    value_rows integer not null,
    duplicate_of integer,
    superseded_by integer,
    superseded_at timestamp
);

create index submissions_sha256 on submissions (sha256);
create index submissions_key on submissions (dataset_code, unit_code, period);

-- One row per value of an accepted (or later superseded) submission, with its lineage.
create table indicator_facts (
    submission_id integer not null,
    source_row integer not null,
    dataset_code varchar not null,
    unit_code varchar not null,
    period varchar not null,
    indicator_code varchar not null,
    disaggregation varchar not null,
    value double not null,
    note varchar,
    primary key (submission_id, indicator_code, disaggregation)
);
