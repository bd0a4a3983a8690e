-- Every plan target with its actual and whether it was met, named for the reader.
with indicator_names as (
    select indicator_code, indicator_name
    from indicators
    union all
    select indicator_code, indicator_name
    from derived_indicators
),

breakdown_names as (
    select distinct disaggregation_code as disaggregation, disaggregation_name
    from disaggregations
)

select
    target_progress.indicator_code,
    indicator_names.indicator_name,
    target_progress.disaggregation,
    breakdown_names.disaggregation_name,
    target_progress.scope,
    target_progress.year,
    target_progress.target,
    target_progress.actual,
    target_progress.numerator,
    target_progress.denominator,
    target_progress.achieved
from target_progress
left join indicator_names using (indicator_code)
left join breakdown_names using (disaggregation)
order by target_progress.year, target_progress.indicator_code, target_progress.scope, target_progress.disaggregation;
