-- One row per figure the report draws of the indicators $1 (report_figures) × unit value it is computed from
-- (the view figure_lineage), for the report's companion file. $2: true for the official report, whose figures
-- are computed from official_values only: only those values are listed.
with traced as (
    select lineage.*
    from figure_lineage as lineage
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
    traced.source_row
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
