-- One row per changed value of a unit's ($1; every unit when null) slots changed since approval.
select
    changes.dataset_code,
    changes.unit_code,
    changes.period,
    changes.indicator_code,
    indicators.indicator_name,
    indicators.indicator_name_en,
    changes.disaggregation,
    changes.approved_value,
    changes.value_now
from approval_changes as changes
inner join indicators using (indicator_code)
where $1::varchar is null or changes.unit_code = $1::varchar
order by changes.period desc, changes.dataset_code asc, changes.unit_code asc, changes.indicator_code asc
