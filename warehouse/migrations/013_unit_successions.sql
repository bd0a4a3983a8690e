-- Issue 22: which unit became which when a reform merged, split, renamed or recoded units
-- (catalog/unit_successions.csv, optional). A dimension table reloaded from the catalog on every
-- run (empty when the file is absent); its kinds are a lookup table filled from core/kinds.py.

-- One row per kind of succession (merge, split, rename, recode, end), in the order they are shown.
create table succession_kinds (
    kind varchar primary key,
    position integer,
    has_successor boolean,
    whole boolean
);

-- One row per old unit and successor (an `end` row: none). `weight`: the share of from_code's
-- values that goes to to_code; `reverse_weight`: the share of to_code's values that belongs to
-- from_code's territory (NULL: to_code's territory is not wholly covered by the catalog's units);
-- each also as the exact fraction the catalog wrote (`7/16`), since the decimal is rounded.
create table unit_successions (
    from_code varchar not null,
    to_code varchar,
    kind varchar not null references succession_kinds (kind),
    effective_date date not null,
    weight decimal(18, 12),
    weight_fraction varchar,
    weight_method varchar,
    reverse_weight decimal(18, 12),
    reverse_weight_fraction varchar,
    mapping varchar,
    legal_basis varchar,
    note varchar
);
