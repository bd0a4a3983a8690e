-- One row per submitted unit × indicator × breakdown × period (in `batch_value_keys`): the robust
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
    inner join periods as batch_periods on batch_periods.period = batch_value_keys.period
    inner join indicator_values
        on indicator_values.unit_code = batch_value_keys.unit_code
        and indicator_values.indicator_code = batch_value_keys.indicator_code
        and indicator_values.disaggregation = batch_value_keys.disaggregation
    inner join periods as earlier_periods
        on earlier_periods.period = indicator_values.period
        and earlier_periods.period_type = batch_periods.period_type
        and earlier_periods.period_start < batch_periods.period_start
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
