-- The catalog's words for the report, the reasons and the template: English names beside the
-- Vietnamese ones, unit types, rule 9's pairs (part_of_whole), and the report's charts.
alter table datasets add column dataset_name_en varchar;
alter table indicators add column indicator_name_en varchar;
alter table indicators add column measure_unit_en varchar;
alter table disaggregations add column disaggregation_name_en varchar;
alter table derived_indicators add column indicator_name_en varchar;
alter table derived_indicators add column part_of_whole boolean;

create table unit_types (
    unit_type varchar primary key,
    unit_type_name varchar not null,
    unit_type_name_en varchar not null,
    scope_name varchar not null,
    scope_name_en varchar not null
);

create table report_charts (
    chart_code varchar primary key,
    indicator_code varchar not null,
    chart_kind varchar not null check (chart_kind in ('parts', 'share_vs_target')),
    period_type varchar not null,
    scopes varchar not null,
    title varchar not null,
    title_en varchar not null,
    whole_label varchar,
    whole_label_en varchar,
    part_label varchar,
    part_label_en varchar
);
