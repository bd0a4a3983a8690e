-- One row per figure the report draws of the indicators $1 (report_figures) × unit value it is computed from
-- (the view $3: figure_lineage, or a geography's, figure_lineage_current_geography…), for the report's companion
-- file. $2: true for the official report, whose figures are computed from official_values only: only those
-- values are listed. In a geography, each value says its reported unit, its weight and its succession paths.
with lineage_rows as (
    select * from query_table($3)
    union all by name
    select
        null::varchar as reported_unit_code,
        null::double as weight,
        null::varchar[][] as succession_paths
    where false
),

traced as (
    select lineage.*
    from lineage_rows as lineage
    where
        list_contains($1, lineage.indicator_code)
        and (
            not $2
            or exists (
                select 1
                from official_values as official
                where
                    official.submission_id = lineage.submission_id
                    and official.indicator_code = lineage.input_indicator_code
                    and official.disaggregation = lineage.disaggregation
            )
        )
)

select
    report_figures.indicator_code,
    report_figures.period,
    report_figures.scope,
    report_figures.disaggregation,
    report_figures.value,
    report_figures.numerator,
    report_figures.denominator,
    report_figures.units_reporting,
    report_figures.official,
    traced.role,
    traced.input_indicator_code,
    traced.unit_code,
    traced.reported_period,
    traced.value as unit_value,
    traced.submission_id,
    traced.status,
    traced.file_name,
    traced.received_at,
    traced.sent_by,
    traced.source_row,
    traced.reported_unit_code,
    traced.weight,
    traced.succession_paths
from report_figures
left join traced
    on report_figures.indicator_code = traced.indicator_code
        and report_figures.period = traced.period
        and report_figures.scope = traced.scope
        and report_figures.disaggregation = traced.disaggregation
where list_contains($1, report_figures.indicator_code)
order by
    report_figures.indicator_code asc,
    report_figures.period asc,
    report_figures.scope asc,
    report_figures.disaggregation asc,
    traced.role desc,
    traced.unit_code asc,
    traced.reported_period asc;
