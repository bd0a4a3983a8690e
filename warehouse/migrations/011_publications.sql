-- Publications, issue 21: each publish of the analysts' snapshot that changed what it holds is
-- numbered and kept (warehouse/publications.py records it under the writer lock before the copy, so
-- the snapshot holds its own row). Kept by the warehouse itself: these tables cannot be rebuilt from
-- the archive (docs/reliability.md); `chiso report --publication N` rebuilds a past state from them.

-- One row per publication: when, what caused it, how far the warehouse's history reached then.
create table publications (
    publication_no integer primary key,
    -- province time, like submission_records.ingested_at
    published_at timestamp not null,
    -- what published: ingest (chiso ingest / chiso inbox), dag (the chiso_ingest DAG's publish task),
    -- approval (chiso approval, the portal's approval requests), publish (any other caller)
    cause varchar not null,
    -- the ingest run, the Airflow DAG run, or the approval request(s) behind the publish
    run_id varchar,
    -- the history it holds: submissions up to this id, approval actions up to this id
    last_submission_id integer,
    last_action_id bigint,
    -- the submissions whose values are in force (status accepted), and every file received
    submissions_in_force integer not null,
    submissions_received integer not null,
    -- md5 of the per-table digests (publication_tables), in table order
    digest varchar not null
);

-- One row per submission that entered or left the published state since the previous publication:
-- entered (its values now in force), left (superseded since), received (a new file whose values
-- are not in force: rejected, a duplicate, or older than the report in force).
create table publication_changes (
    publication_no integer not null,
    submission_id integer not null,
    change varchar not null,
    primary key (publication_no, submission_id)
);

-- One row per published table of a publication: its rows and a digest of its content (the sum of
-- DuckDB's hash of each row, order-independent; comparable between publications of one DuckDB version).
create table publication_tables (
    publication_no integer not null,
    table_name varchar not null,
    row_count bigint not null,
    digest varchar not null,
    primary key (publication_no, table_name)
);
