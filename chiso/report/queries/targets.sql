-- One row per plan target with its actual and whether it was met, named for the reader.
with indicator_names as (
    select
        indicator_code,
        indicator_name,
        indicator_name_en
    from indicators
    union all
    select
        indicator_code,
        indicator_name,
        indicator_name_en
    from derived_indicators
),

disaggregation_names as (
    select distinct
        disaggregation_code as disaggregation,
        disaggregation_name,
        disaggregation_name_en
    from disaggregations
)

select
    target_progress.indicator_code,
    indicator_names.indicator_name,
    indicator_names.indicator_name_en,
    target_progress.disaggregation,
    disaggregation_names.disaggregation_name,
    disaggregation_names.disaggregation_name_en,
    target_progress.scope,
    unit_types.scope_name,
    unit_types.scope_name_en,
    target_progress.year,
    target_progress.target,
    target_progress.actual,
    target_progress.numerator,
    target_progress.denominator,
    target_progress.achieved
from target_progress
left join indicator_names using (indicator_code)
left join disaggregation_names using (disaggregation)
left join unit_types on target_progress.scope = unit_types.unit_type
order by target_progress.year, target_progress.indicator_code, target_progress.scope, target_progress.disaggregation;
