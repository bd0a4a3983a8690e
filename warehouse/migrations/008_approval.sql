-- Approval of a slot (unit × data set × period), issue 20: a unit's approver vouches for the file in
-- force, the province's reviewer accepts it (official, locked) or returns it; the province may
-- reopen. The state machine is declared in core/kinds.py (APPROVAL_ACTIONS) and filled into the two
-- lookup tables each time the warehouse opens; the log is append-only and the state is derived
-- from it (warehouse/views/11_slot_approvals.sql).

create table approval_states (
    state varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    official boolean,
    locked boolean
);

create table approval_actions (
    action varchar primary key,
    position integer,
    word_id varchar,
    name varchar,
    name_en varchar,
    role varchar,
    from_states varchar[],
    to_state varchar,
    needs_reason boolean
);

create sequence approval_log_ids start 1;

-- One row per action taken on a slot, never updated or deleted: who, when, why, on which file in
-- force and which values (their digest, warehouse/views/10_slot_values.sql).
create table approval_log (
    action_id bigint primary key default nextval('approval_log_ids'),
    -- The caller's id of the action: an action retried after a crash is applied once.
    request_id varchar not null unique,
    dataset_code varchar not null,
    unit_code varchar not null,
    period varchar not null,
    action varchar not null references approval_actions (action),
    state varchar not null references approval_states (state),
    by_email varchar not null,
    acted_at timestamp not null,
    reason varchar,
    submission_id bigint,
    values_digest varchar
);

create index approval_log_slot on approval_log (dataset_code, unit_code, period);
