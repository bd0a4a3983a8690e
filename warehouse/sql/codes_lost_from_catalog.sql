-- One row per code that loaded values use but the catalog no longer lists
-- (their history would vanish from the views).
select distinct
    'unit' as kind,
    indicator_facts.unit_code as code
from indicator_facts
where indicator_facts.unit_code not in (select units.unit_code from units)
union all
select distinct
    'indicator' as kind,
    indicator_facts.indicator_code as code
from indicator_facts
where indicator_facts.indicator_code not in (select indicators.indicator_code from indicators)
union all
select distinct
    'dataset' as kind,
    indicator_facts.dataset_code as code
from indicator_facts
where indicator_facts.dataset_code not in (select datasets.dataset_code from datasets)
order by kind, code
