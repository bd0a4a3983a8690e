-- One row per submitted unit × indicator × disaggregation × period (in `batch_value_keys`): the robust
-- centre and spread of the same unit's current values for the 8 periods of the same kind before it,
-- for outlier warnings by modified z-score (Iglewicz–Hoaglin: 1.4826 × MAD estimates the deviation).
with earlier_values as (
    select
        batch_value_keys.unit_code,
        batch_value_keys.indicator_code,
        batch_value_keys.disaggregation,
        batch_value_keys.period,
        indicator_values.value,
        row_number() over (
            partition by
                batch_value_keys.unit_code,
                batch_value_keys.indicator_code,
                batch_value_keys.disaggregation,
                batch_value_keys.period
            order by earlier_periods.period_start desc
        ) as recency
    from batch_value_keys
    inner join periods as batch_periods on batch_value_keys.period = batch_periods.period
    inner join indicator_values
        on batch_value_keys.unit_code = indicator_values.unit_code
            and batch_value_keys.indicator_code = indicator_values.indicator_code
            and batch_value_keys.disaggregation = indicator_values.disaggregation
    inner join periods as earlier_periods
        on indicator_values.period = earlier_periods.period
            and batch_periods.period_type = earlier_periods.period_type
            and batch_periods.period_start > earlier_periods.period_start
)

select
    unit_code,
    indicator_code,
    disaggregation,
    period,
    count(*) as history_count,
    median(value) as history_median,
    1.4826 * mad(value) as history_scale
from earlier_values
where recency <= 8
group by unit_code, indicator_code, disaggregation, period
