-- One row per code that loaded values use but the catalog no longer lists (their history would vanish from the views).
select distinct 'unit' as kind, unit_code as code from indicator_facts
where unit_code not in (select unit_code from units)
union all
select distinct 'indicator' as kind, indicator_code as code from indicator_facts
where indicator_code not in (select indicator_code from indicators)
union all
select distinct 'dataset' as kind, dataset_code as code from indicator_facts
where dataset_code not in (select dataset_code from datasets)
order by kind, code
