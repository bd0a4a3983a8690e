-- Notices: who is told (contacts), when a reminder goes (reminder_days_before), and the ledger
-- of what each unit was told (notices), so that nothing is told twice or lost.
alter table datasets add column reminder_days_before integer;

create table contacts (
    unit_code varchar not null,
    email varchar not null,
    name varchar,
    role varchar not null check (role in ('unit', 'province', 'engineer'))
);

-- Ingest runs loaded before notices existed: nobody is owed a notice of their verdicts
-- (the first notify of an upgraded warehouse must not tell years of history).
create table runs_before_notices as
select distinct run_id from submission_records;

-- One row per notice item: what one unit is told about one report (data set × period), of one
-- kind, for post-ingest notices in one ingest run. A notifier claims its items here before it
-- sends (`sent_at` null), and records `sent_at` once the SMTP server has accepted the message
-- (or its .eml file is in the outbox). Several items travel in one message (`message_id`).
create table notices (
    kind varchar not null check (
        kind in ('rejected', 'late', 'warnings', 'unattributed', 'due_soon', 'overdue', 'digest')
    ),
    unit_code varchar not null,
    dataset_code varchar not null,
    period varchar not null,
    run_id varchar not null,
    submission_ids integer[] not null,
    message_kind varchar not null check (message_kind in ('ingest', 'unattributed', 'reminder', 'digest')),
    message_id varchar not null,
    claimed_at timestamp not null,
    sent_at timestamp,
    channel varchar check (channel in ('smtp', 'outbox')),
    recipients varchar[],
    subject varchar,
    primary key (kind, unit_code, dataset_code, period, run_id)
);

create index notices_message on notices (message_id);
