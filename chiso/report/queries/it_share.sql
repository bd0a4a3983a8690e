-- Share of establishments applying IT in management, per establishment type and year, province-wide,
-- with the plan target of the year where there is one.
with it_shares as (
    select
        disaggregation,
        cast(period as integer) as year,
        value,
        numerator,
        denominator
    from indicator_rollup
    where indicator_code = 'CNTT_TYLE'
        and scope = 'province'
        and period_type = 'year'
),

it_targets as (
    select disaggregation, year, target, achieved
    from target_progress
    where indicator_code = 'CNTT_TYLE'
        and scope = 'province'
),

establishment_types as (
    select distinct disaggregation_code as disaggregation, disaggregation_name
    from disaggregations
    where indicator_code = 'CNTT_TONG'
)

select
    coalesce(it_shares.disaggregation, it_targets.disaggregation) as disaggregation,
    establishment_types.disaggregation_name,
    coalesce(it_shares.year, it_targets.year) as year,
    it_shares.value,
    it_shares.numerator,
    it_shares.denominator,
    it_targets.target,
    it_targets.achieved
from it_shares
full join it_targets using (disaggregation, year)
left join establishment_types
    on establishment_types.disaggregation = coalesce(it_shares.disaggregation, it_targets.disaggregation)
order by disaggregation, year;
