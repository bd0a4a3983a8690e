-- One row per plan target (indicator × disaggregation × scope × year): its progress over the report's figures
-- (the rules of target_progress, by its macro, over report_figures) and whether its actual is official (that of
-- its year's figure), allocated and complete (in its geography), made once per report as the temporary table
-- report_targets that targets.sql and share.sql read.
create or replace temp table report_targets as
select
    progress.indicator_code,
    progress.disaggregation,
    progress.scope,
    progress.year,
    progress.target,
    progress.actual,
    progress.numerator,
    progress.denominator,
    progress.achieved,
    progress.source,
    progress.actual is not null and coalesce(report_figures.official, false) as official,
    coalesce(report_figures.allocated, false) as allocated,
    coalesce(report_figures.complete, true) as complete
from target_progress_of('report_figures') as progress
left join report_figures
    on progress.indicator_code = report_figures.indicator_code
        and progress.disaggregation = report_figures.disaggregation
        and progress.scope = report_figures.scope
        and report_figures.period = cast(progress.year as varchar);
