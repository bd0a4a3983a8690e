-- Dimension tables, reloaded from catalog/*.csv on every run: the CSV files are the source.
create table units (
    unit_code varchar primary key,
    unit_name varchar not null,
    unit_type varchar not null,
    parent_code varchar,
    valid_from date not null,
    valid_to date
);

create table datasets (
    dataset_code varchar primary key,
    dataset_name varchar not null,
    submitter_type varchar not null,
    period_type varchar not null,
    due_days_after_period_end integer not null
);

create table indicators (
    indicator_code varchar primary key,
    indicator_name varchar not null,
    measure_unit varchar not null,
    value_type varchar not null,
    time_aggregation varchar not null,
    across_units varchar not null
);

create table dataset_indicators (
    dataset_code varchar not null,
    indicator_code varchar not null,
    mandatory boolean not null,
    primary key (dataset_code, indicator_code)
);

create table disaggregations (
    indicator_code varchar not null,
    disaggregation_code varchar not null,
    disaggregation_name varchar not null,
    mandatory boolean not null,
    primary key (indicator_code, disaggregation_code)
);

create table derived_indicators (
    indicator_code varchar primary key,
    indicator_name varchar not null,
    numerator_code varchar not null,
    denominator_code varchar not null,
    multiplier double not null
);

create table plan (
    plan_code varchar primary key,
    plan_name varchar not null,
    first_year integer not null,
    last_year integer not null,
    province_code varchar not null,
    timezone varchar not null
);

create table targets (
    indicator_code varchar not null,
    disaggregation varchar not null,
    scope varchar not null,
    year integer not null,
    target double not null,
    source varchar not null
);
