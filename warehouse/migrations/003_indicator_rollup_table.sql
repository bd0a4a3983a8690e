-- The roll-up stored by the loader at the end of each run: at national scale (millions of
-- values) computing it per query takes about half a second, reading it a millisecond.
create table indicator_rollup_current (
    period varchar not null,
    period_type varchar not null,
    scope varchar not null,
    indicator_code varchar not null,
    disaggregation varchar not null,
    numerator double,
    denominator double,
    value double,
    units_reporting bigint not null
);
