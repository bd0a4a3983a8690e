-- The kinds of things (core/kinds.py) as lookup tables, each filled from that declaration every
-- time the warehouse opens (warehouse/kinds.py). The columns that held a kind under a CHECK now
-- reference its table by a foreign key, so a new kind is one declaration, never a table rebuild.
-- DuckDB cannot alter a CHECK: each table that had one is rebuilt here, once (copied aside,
-- dropped, created with its foreign keys, copied back, its indexes made again). The lookup tables
-- start with the codes the data already holds; the declaration fills in their words and the rest.

-- One row per kind of each family, in the order they are shown (`position`); `word_id` names its
-- words in the vocabulary, `name` and `name_en` are those words.
create table submission_statuses (
    status varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    has_values boolean
);

create table severities (
    severity varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    rejects boolean,
    warns boolean
);

create table warning_kinds (
    warning varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    background varchar,
    colour varchar
);

create table completeness_statuses (
    status varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    colour varchar,
    due boolean,
    done boolean,
    chased boolean
);

-- The kinds of notice are declared by the notices (chiso/notices/kinds/), which add theirs here
-- when they claim: a message's kind and each kind of item it tells.
create table message_kinds (
    message_kind varchar primary key,
    position integer
);

create table notice_kinds (
    kind varchar primary key,
    position integer,
    -- the message it travels in (message_kinds); not a foreign key: DuckDB cannot update a
    -- foreign key's column in a row that notices reference
    message_kind varchar
);

create table chart_kinds (
    chart_kind varchar primary key,
    position integer
);

create table contact_roles (
    role varchar primary key,
    position integer
);

insert into submission_statuses (status) select distinct status from submission_records;
insert into severities (severity) select distinct severity from findings;
insert into message_kinds (message_kind) select distinct message_kind from notices;
insert into notice_kinds (kind) select distinct kind from notices;
insert into chart_kinds (chart_kind) select distinct chart_kind from report_charts;
insert into contact_roles (role) select distinct role from contacts;

-- submission_records: status references submission_statuses.
create table submission_records_before_kinds as select * from submission_records;
drop table submission_records;
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
    status varchar not null references submission_statuses (status),
    value_rows integer not null,
    duplicate_of integer,
    superseded_by integer,
    superseded_at timestamp
);
insert into submission_records select * from submission_records_before_kinds;
drop table submission_records_before_kinds;
create index submission_records_sha256 on submission_records (sha256);
create index submission_records_key on submission_records (dataset_code, unit_code, period);

-- findings: severity references severities.
create table findings_before_kinds as select * from findings;
drop table findings;
create table findings (
    submission_id integer not null,
    finding_no integer not null,
    rule varchar not null,
    check_name varchar not null,
    severity varchar not null references severities (severity),
    source_rows integer[] not null,
    offending_values varchar[] not null,
    message_vi varchar not null,
    message_en varchar not null,
    primary key (submission_id, finding_no)
);
insert into findings select * from findings_before_kinds;
drop table findings_before_kinds;

-- report_charts (reloaded from the catalog on every run): chart_kind references chart_kinds.
create table report_charts_before_kinds as select * from report_charts;
drop table report_charts;
create table report_charts (
    chart_code varchar primary key,
    indicator_code varchar not null,
    chart_kind varchar not null references chart_kinds (chart_kind),
    period_type varchar not null,
    scopes varchar not null,
    title varchar not null,
    title_en varchar not null,
    whole_label varchar,
    whole_label_en varchar,
    part_label varchar,
    part_label_en varchar
);
insert into report_charts select * from report_charts_before_kinds;
drop table report_charts_before_kinds;

-- contacts (reloaded from the catalog on every run): role references contact_roles.
create table contacts_before_kinds as select * from contacts;
drop table contacts;
create table contacts (
    unit_code varchar not null,
    email varchar not null,
    name varchar,
    role varchar not null references contact_roles (role)
);
insert into contacts select * from contacts_before_kinds;
drop table contacts_before_kinds;

-- notices: kind references notice_kinds, message_kind message_kinds; a channel is not a kind of
-- anything the code adds to (smtp or the outbox), it keeps its check.
create table notices_before_kinds as select * from notices;
drop table notices;
create table notices (
    kind varchar not null references notice_kinds (kind),
    unit_code varchar not null,
    dataset_code varchar not null,
    period varchar not null,
    run_id varchar not null,
    submission_ids integer[] not null,
    message_kind varchar not null references message_kinds (message_kind),
    message_id varchar not null,
    claimed_at timestamp not null,
    sent_at timestamp,
    channel varchar check (channel in ('smtp', 'outbox')),
    recipients varchar[],
    subject varchar,
    primary key (kind, unit_code, dataset_code, period, run_id)
);
insert into notices select * from notices_before_kinds;
drop table notices_before_kinds;
create index notices_message on notices (message_id);
