-- The portal's own SQLite file (CHISO_ACCOUNTS): accounts, their sends, sessions, API tokens, set-password links.
-- accounts and sends are read by other features (notices): keep their columns.
create table if not exists accounts (
    account_id integer primary key,
    email text not null unique,
    unit_code text not null,
    role text not null check (role in ('unit', 'province')),
    name text,
    password_hash text,
    created_at text not null,
    disabled_at text
);

-- Roles granted on top of an account's own (core/kinds.py, ACCOUNT_ROLES): a unit's approver.
create table if not exists account_grants (
    account_id integer not null references accounts (account_id),
    role text not null,
    granted_at text not null,
    primary key (account_id, role)
);

-- One row per file a unit sent through the portal; inbox_name is the portal's name for it in the inbox.
create table if not exists sends (
    send_id integer primary key,
    account_id integer not null references accounts (account_id),
    unit_code text not null,
    client_file_name text not null,
    inbox_name text not null unique,
    sha256 text not null,
    size_bytes integer not null,
    sent_at text not null
);

create index if not exists sends_unit on sends (unit_code, send_id);

-- The verdict a send got at once (portal/provisional.py): its bytes judged as the loader would, before they
-- landed; shown as being loaded until the warehouse's own verdict confirms or replaces it. findings: JSON
-- {"reasons": [...], "warnings": [...]}; history_through: the snapshot's last submission id it was judged
-- against; rules_digest: the catalog's and the suites' SHA-256 it was judged under.
create table if not exists send_verdicts (
    send_id integer primary key references sends (send_id),
    status text not null,
    dataset_code text,
    unit_code text,
    period text,
    findings text not null,
    judged_at text not null,
    history_through integer not null,
    rules_digest text not null
);

-- One row per move of an account to another unit (`chiso accounts move`: a ceased unit's clerk to its
-- successor); forced = 1 when the new unit is not one of the old one's successors (--force).
create table if not exists account_moves (
    move_id integer primary key,
    account_id integer not null references accounts (account_id),
    from_unit text not null,
    to_unit text not null,
    forced integer not null,
    moved_at text not null
);

-- Tokens are stored as their SHA-256 only.
create table if not exists sessions (
    session_digest text primary key,
    account_id integer not null references accounts (account_id),
    csrf_token text not null,
    created_at text not null,
    expires_at text not null
);

create table if not exists api_tokens (
    token_digest text primary key,
    account_id integer not null references accounts (account_id),
    created_at text not null
);

create table if not exists password_links (
    link_digest text primary key,
    account_id integer not null references accounts (account_id),
    created_at text not null,
    expires_at text not null,
    used_at text
);

-- The SQL desk's saved queries (portal/desk.py), shared by the province's accounts. `seed` names a question of the
-- analyst guide (portal/desk_seeds.toml; its title in both languages), inserted once; a deleted query is kept,
-- marked, so a deleted seed is not inserted again. A query the province saves has one title (`title_en` null).
create table if not exists saved_queries (
    query_id integer primary key,
    title text not null,
    title_en text,
    sql text not null,
    seed text unique,
    created_by integer references accounts (account_id),
    created_at text not null,
    deleted_at text,
    deleted_by integer references accounts (account_id)
);
