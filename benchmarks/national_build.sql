-- The national-scale warehouse of benchmarks/national.py: every unit of the bench catalog, every period.
create temp table bench_units as select unnest(getvariable('units')) as unit_code;

create temp table plan_years as select unnest(range(getvariable('first_year'), getvariable('last_year') + 1)) as year;

-- One slot per unit x period: DP-HUYEN each quarter, CNTT-NAM each year.
create temp table slots as
select
    row_number() over (order by unit_code, year, quarter) as slot,
    unit_code,
    dataset_code,
    year,
    quarter,
    case when quarter is null then year::varchar else year || 'Q' || quarter end as period,
    case
        when quarter is null then make_date(year, 12, 31)
        else last_day(make_date(year, 3 * quarter, 1))
    end as period_end
from (
    select
        unit_code,
        'DP-HUYEN' as dataset_code,
        year,
        quarter
    from bench_units, plan_years, (select unnest(range(1, 5)) as quarter)
    union all
    select
        unit_code,
        'CNTT-NAM',
        year,
        null
    from bench_units, plan_years
);

-- Versions of each slot: sometimes a rejected file first, always an accepted one, 5 % sent again.
create temp table versions as
select
    slot,
    0 as version,
    'rejected' as status
from slots
where hash(slot, 'rejected') % 100 < 2
union all
select
    slot,
    1,
    case when hash(slot, 'again') % 100 < 5 then 'superseded' else 'accepted' end
from slots
union all
select
    slot,
    2,
    'accepted'
from slots
where hash(slot, 'again') % 100 < 5;

insert into submission_records
select
    row_number() over (order by slots.slot, versions.version) as submission_id,
    slots.dataset_code || '_' || slots.unit_code || '_' || slots.period || '_v' || versions.version || '.csv',
    null,
    null,
    true,
    sha256((slots.slot)::varchar || '/' || versions.version),
    900 + hash(slots.slot) % 300,
    'csv',
    slots.period_end + to_days((1 + hash(slots.slot, 'day') % 20 + 15 * versions.version)::integer)
    + to_hours((8 + hash(slots.slot, 'hour') % 9)::integer),
    slots.period_end + to_days((2 + hash(slots.slot, 'day') % 20 + 15 * versions.version)::integer),
    'bench',
    slots.dataset_code,
    slots.unit_code,
    slots.period,
    versions.status,
    case when slots.dataset_code = 'DP-HUYEN' then 15 else 8 end,
    null,
    null,
    null,
    null,  -- sent_by (migration 010): copied into the inbox
    null,  -- judged_as_of (migration 012)
    null  -- judged_after_action (migration 012)
from slots inner join versions using (slot);

-- One reason for each rejected file, as the loader stores it.
insert into findings
select
    submission_id,
    1,
    '6',
    'negative_value',
    'critical',
    [4],
    ['-1'],
    'Giá trị âm.',
    'Negative value.'
from submission_records
where status = 'rejected';

-- Supersession as warehouse/sql/supersede.sql settles it: each version superseded by the next accepted one.
update submission_records
set superseded_by = newer.submission_id, superseded_at = newer.received_at
from submission_records as newer
where submission_records.status = 'superseded' and newer.status = 'accepted'
    and newer.dataset_code = submission_records.dataset_code and newer.unit_code = submission_records.unit_code
    and newer.period = submission_records.period;

create temp table form_items as
select
    dataset_code,
    indicator_code,
    '' as disaggregation,
    row_number() over (partition by dataset_code order by indicator_code) as item
from dataset_indicators
where dataset_code = 'DP-HUYEN'
union all
select
    'CNTT-NAM',
    indicator_code,
    disaggregation_code,
    row_number() over (order by indicator_code, disaggregation_code)
from disaggregations;

insert into indicator_facts
select
    submissions.submission_id,
    form_items.item + 1,
    submissions.dataset_code,
    submissions.unit_code,
    submissions.period,
    form_items.indicator_code,
    form_items.disaggregation,
    case indicators.value_type
        when 'percent' then (hash(submissions.submission_id, form_items.item) % 1001) / 10.0
        when 'amount' then (hash(submissions.submission_id, form_items.item) % 500000) / 100.0
        else hash(submissions.unit_code, form_items.indicator_code, form_items.disaggregation) % 50
            + hash(submissions.submission_id, form_items.item) % 10
    end,
    null
from submission_records as submissions
inner join form_items using (dataset_code)
inner join indicators using (indicator_code)
where submissions.status in ('accepted', 'superseded');
