-- The DuckDB-only baseline: the spec's rules (shared/spec/submissions.md, "Reasons to reject"
-- and "Warnings") written as plain SQL over one batch of CSV files, then the accepted rows loaded.
--
-- Inputs (prepared by benchmarks/baseline.py):
--   raw_rows(filename, rid, dataset, unit_code, period, indicator_code, disaggregation, value, note)
--       every data row of every CSV of the batch (one read_csv over a glob), the template's
--       English or Vietnamese headers already mapped to these names; rid is the scan order;
--   batch_files(filename, file_name, received_at)  every file of the batch (even one with no rows);
--   the catalog tables (units, datasets, indicators, dataset_indicators, disaggregations, plan);
--   the variable as_of (the day of ingestion).
-- Outputs: findings (one row per fault found), verdicts (one per file); baseline_submissions and
-- baseline_facts (the accepted values) are loaded in one transaction by the last statements.
--
-- What it does not do (chiso does): XLSX, Windows-1258/UTF-16, the Vietnamese number convention
-- of semicolon files, outlier warnings (they need each value's history), duplicates of earlier
-- files, supersession, bilingual messages naming every value.

create or replace temp table disaggregation_keys as
select
    indicator_code,
    disaggregation_code as disaggregation
from disaggregations
union all
select
    indicator_code,
    ''
from indicators
where indicator_code not in (select indicator_code from disaggregations);

create or replace temp table disaggregation_names as
select distinct
    lower(strip_accents(disaggregation_name)) as name_key,
    disaggregation_code
from disaggregations
union
select distinct
    lower(disaggregation_code),
    disaggregation_code
from disaggregations;

-- One row per value, codes normalised as the spec says (trimmed, case-insensitive, `26` is `026`,
-- periods written in words turned into codes); an unreadable value is kept as text.
create or replace temp table batch_rows as
with keyed as (
    select
        *,
        regexp_replace(
            lower(strip_accents(replace(replace(trim(period), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g'
        ) as period_key,
        trim(value) as value_text
    from raw_rows
)

select
    keyed.filename,
    keyed.rid,
    keyed.rid - min(keyed.rid) over (partition by keyed.filename) + 2 as source_row,
    nullif(upper(trim(keyed.dataset)), '') as dataset_code,
    case
        when regexp_full_match(trim(keyed.unit_code), '\d{1,2}') then lpad(trim(keyed.unit_code), 3, '0')
        else nullif(upper(trim(keyed.unit_code)), '')
    end as unit_code,
    case
        when regexp_full_match(period_key, '(nam )?\d{4}') then regexp_extract(period_key, '\d{4}')
        when regexp_full_match(period_key, '\d{4} ?q[1-4]')
            then regexp_replace(period_key, '^(\d{4}) ?q([1-4])$', '\1Q\2')
        when regexp_full_match(period_key, 'q ?[1-4] ?[/-] ?\d{4}')
            then regexp_replace(period_key, '^q ?([1-4]) ?[/-] ?(\d{4})$', '\2Q\1')
        when regexp_full_match(period_key, 'quy ?(i{1,3}|iv|[1-4]) ?(/|-|nam) ?\d{4}')
            then regexp_extract(period_key, '(\d{4})$', 1)
                || 'Q'
                || case regexp_extract(period_key, '^quy ?(i{1,3}|iv|[1-4])', 1)
                    when 'i' then '1' when 'ii' then '2' when 'iii' then '3' when 'iv' then '4'
                    else regexp_extract(period_key, '^quy ?(i{1,3}|iv|[1-4])', 1)
                end
        else nullif(trim(keyed.period), '')
    end as period,
    nullif(upper(trim(keyed.indicator_code)), '') as indicator_code,
    coalesce(
        disaggregation_names.disaggregation_code, upper(nullif(trim(keyed.disaggregation), '')), ''
    ) as disaggregation,
    keyed.value_text,
    case when regexp_full_match(keyed.value_text, '[+-]?\d+(\.\d+)?') then cast(keyed.value_text as double) end
        as value,
    nullif(trim(keyed.note), '') as note
from keyed
left join disaggregation_names on disaggregation_names.name_key = lower(strip_accents(trim(keyed.disaggregation)));

-- One row per file: what its first row declares, and whether each required column was there.
create or replace temp table declared as
with per_file as (
    select
        filename,
        arg_min(dataset_code, rid) as dataset_code,
        arg_min(unit_code, rid) as unit_code,
        arg_min(period, rid) as period,
        count(*) as value_rows,
        count(indicator_code) as indicator_cells,
        count(value_text) as value_cells
    from batch_rows
    group by filename
)

select
    batch_files.filename,
    batch_files.received_at,
    per_file.dataset_code,
    per_file.unit_code,
    per_file.period,
    coalesce(per_file.value_rows, 0) as value_rows,
    per_file.filename is not null and (
        per_file.dataset_code is null or per_file.unit_code is null or per_file.period is null
        or per_file.indicator_cells = 0 or per_file.value_cells = 0
    ) as missing_field,
    case when regexp_full_match(per_file.period, '\d{4}(Q[1-4])?') then cast(left(per_file.period, 4) as integer) end
        as year,
    case when regexp_full_match(per_file.period, '\d{4}Q[1-4]') then cast(right(per_file.period, 1) as integer) end
        as quarter
from batch_files
left join per_file using (filename);

create or replace temp table declared_periods as
select
    declared.*,
    case when declared.quarter is not null then 'quarter' when declared.year is not null then 'year' end as period_type,
    case
        when declared.quarter is not null then make_date(declared.year, 3 * declared.quarter - 2, 1)
        when declared.year is not null then make_date(declared.year, 1, 1)
    end as period_start,
    case
        when declared.quarter is not null then last_day(make_date(declared.year, 3 * declared.quarter, 1))
        when declared.year is not null then make_date(declared.year, 12, 31)
    end as period_end
from declared;

create or replace temp table findings as
with files as (
    select
        declared_periods.*,
        datasets.dataset_code is not null as known_dataset,
        datasets.submitter_type,
        datasets.period_type as expected_period_type,
        datasets.due_days_after_period_end,
        units.unit_code is not null as known_unit,
        units.unit_type,
        cast(units.valid_from as date) as valid_from,
        cast(units.valid_to as date) as valid_to
    from declared_periods
    left join datasets using (dataset_code)
    left join units using (unit_code)
),

checkable_rows as (
    select
        batch_rows.*,
        files.dataset_code as file_dataset_code,
        files.unit_code as file_unit_code,
        files.period as file_period,
        indicators.value_type,
        indicators.indicator_code is not null as known_indicator
    from batch_rows
    inner join files on batch_rows.filename = files.filename and not files.missing_field
    left join indicators on batch_rows.indicator_code = indicators.indicator_code
),

pairs as (
    select * from (
        values
        ('NV_GIAO', 'NV_TRIENKHAI', 'inconsistent_nv_trienkhai'),
        ('NV_CUTHE', 'NV_HOANTHANH', 'inconsistent_nv_hoanthanh'),
        ('KP_BOTRI', 'KP_GIAINGAN', 'inconsistent_kp_giaingan'),
        ('CNTT_TONG', 'CNTT_UNGDUNG', 'inconsistent_cntt_ungdung')
    ) as pair_rows (code_a, code_b, check_name)
),

mandatory_items as (
    select
        dataset_indicators.dataset_code,
        dataset_indicators.indicator_code,
        coalesce(disaggregations.disaggregation_code, '') as disaggregation
    from dataset_indicators
    left join disaggregations
        on dataset_indicators.indicator_code = disaggregations.indicator_code and disaggregations.mandatory
    where dataset_indicators.mandatory
)

-- rules 1-2: the file has rows; every required column and header field is there
select
    filename,
    '8' as rule,
    'no_values' as check_name,
    'critical' as severity,
    cast(null as integer) as source_row,
    null as value
from files
where value_rows = 0
union all
select
    filename,
    '2',
    'missing_field',
    'critical',
    null,
    null
from files
where missing_field
-- rule 3: known data set and unit, the unit may send the data set and existed in the period
union all
select
    filename,
    '3',
    'unknown_dataset',
    'critical',
    null,
    dataset_code
from files
where not missing_field and value_rows > 0 and not known_dataset
union all
select
    filename,
    '3',
    'unknown_unit',
    'critical',
    null,
    unit_code
from files
where not missing_field and value_rows > 0 and not known_unit
union all
select
    filename,
    '3',
    'unit_not_allowed',
    'critical',
    null,
    unit_code
from files
where unit_type <> submitter_type
union all
select
    filename,
    '3',
    'unit_not_yet_existing',
    'critical',
    null,
    unit_code
from files
where period_end < valid_from
union all
select
    filename,
    '3',
    'unit_no_longer_existing',
    'critical',
    null,
    unit_code
from files
where valid_to < period_end
-- rule 4: a period code, of the data set's type, inside the plan, ended on the day of ingestion
union all
select
    filename,
    '4',
    'unreadable_period',
    'critical',
    null,
    period
from files
where not missing_field and value_rows > 0 and year is null
union all
select
    filename,
    '4',
    'wrong_period_type',
    'critical',
    null,
    period
from files
where period_type <> expected_period_type
union all
select
    filename,
    '4',
    'period_outside_plan',
    'critical',
    null,
    period
from files
-- the plans follow one another year after year (the catalog checks it): together they run from the first
-- plan's first year to the last plan's last
where files.year not between (select min(plan.first_year) from plan) and (select max(plan.last_year) from plan)
union all
select
    filename,
    '4',
    'period_not_ended',
    'critical',
    null,
    period
from files
where period_end >= getvariable('as_of')
-- rule 5: every row carries the file's data set, unit and period
union all
select
    filename,
    '5',
    'rows_disagree_dataset',
    'critical',
    source_row,
    dataset_code
from checkable_rows
where dataset_code is distinct from file_dataset_code
union all
select
    filename,
    '5',
    'rows_disagree_unit',
    'critical',
    source_row,
    unit_code
from checkable_rows
where unit_code is distinct from file_unit_code
union all
select
    filename,
    '5',
    'rows_disagree_period',
    'critical',
    source_row,
    period
from checkable_rows
where period is distinct from file_period
-- rule 3: known indicators, on the data set's form, with an allowed disaggregation
union all
select
    filename,
    '3',
    'unknown_indicator',
    'critical',
    source_row,
    indicator_code
from checkable_rows
where not known_indicator
union all
select
    checkable_rows.filename,
    '3',
    'indicator_not_on_form',
    'critical',
    checkable_rows.source_row,
    checkable_rows.indicator_code
from checkable_rows
inner join datasets on checkable_rows.dataset_code = datasets.dataset_code
anti join dataset_indicators
    on checkable_rows.dataset_code = dataset_indicators.dataset_code
        and checkable_rows.indicator_code = dataset_indicators.indicator_code
where checkable_rows.known_indicator
union all
select
    checkable_rows.filename,
    '3',
    'unknown_breakdown',
    'critical',
    checkable_rows.source_row,
    checkable_rows.disaggregation
from checkable_rows
anti join disaggregation_keys
    on checkable_rows.indicator_code = disaggregation_keys.indicator_code
        and checkable_rows.disaggregation = disaggregation_keys.disaggregation
where checkable_rows.known_indicator
-- rule 6: a number, not negative, whole for a count, at most 100 for a percent
union all
select
    filename,
    '6',
    'not_a_number',
    'critical',
    source_row,
    value_text
from checkable_rows
where value is null
union all
select
    filename,
    '6',
    'negative_value',
    'critical',
    source_row,
    value_text
from checkable_rows
where value < 0
union all
select
    filename,
    '6',
    'count_not_whole',
    'critical',
    source_row,
    value_text
from checkable_rows
where value_type = 'count' and value <> floor(value)
union all
select
    filename,
    '6',
    'percent_over_100',
    'critical',
    source_row,
    value_text
from checkable_rows
where value_type = 'percent' and value > 100
-- rule 7: each indicator and disaggregation once
union all
select
    filename,
    '7',
    'duplicate_value',
    'critical',
    source_row,
    indicator_code
from (
    select
        *,
        count(*) over (partition by filename, indicator_code, disaggregation) as times
    from checkable_rows
)
where times > 1
-- rule 8: every mandatory indicator and disaggregation given
union all
select
    files.filename,
    '8',
    'mandatory_missing',
    'critical',
    null,
    mandatory_items.indicator_code || coalesce(' (' || nullif(mandatory_items.disaggregation, '') || ')', '')
from files
inner join mandatory_items on files.dataset_code = mandatory_items.dataset_code
anti join checkable_rows
    on files.filename = checkable_rows.filename
        and mandatory_items.indicator_code = checkable_rows.indicator_code
        and mandatory_items.disaggregation = checkable_rows.disaggregation
where not files.missing_field and files.value_rows > 0
-- rule 9: parts never above their whole
union all
select
    a.filename,
    '9',
    pairs.check_name,
    'critical',
    b.source_row,
    b.value_text
from pairs
inner join checkable_rows as a on pairs.code_a = a.indicator_code
inner join checkable_rows as b
    on a.filename = b.filename and pairs.code_b = b.indicator_code and a.disaggregation = b.disaggregation
where b.value > a.value
-- warnings: late, formula-like text
union all
select
    filename,
    'late',
    'late',
    'warning',
    null,
    cast(cast(received_at as date) as varchar)
from files
where expected_period_type = period_type
    and cast(received_at as date) > period_end + cast(due_days_after_period_end as integer)
union all
select
    filename,
    'formula_text',
    'formula_text',
    'warning',
    source_row,
    note
from checkable_rows
where regexp_matches(note, '^[=+\-@]');

create or replace temp table verdicts as
select
    batch_files.filename,
    batch_files.file_name,
    batch_files.received_at,
    declared.dataset_code,
    declared.unit_code,
    declared.period,
    case when count(*) filter (where findings.severity = 'critical') > 0 then 'rejected' else 'accepted' end as status,
    coalesce(
        to_json(list(
            {
                'rule': findings.rule, 'check': findings.check_name, 'row': findings.source_row,
                'value': findings.value
            } order by findings.source_row
        ) filter (where findings.severity = 'critical')),
        '[]'
    ) as reasons,
    coalesce(
        to_json(
            list({ 'check': findings.check_name, 'row': findings.source_row }) filter (
                where findings.severity = 'warning'
            )
        ),
        '[]'
    ) as warnings,
    declared.value_rows
from batch_files
left join declared using (filename)
left join findings using (filename)
group by all;

begin transaction;

insert into baseline_submissions
select
    filename,
    file_name,
    received_at,
    dataset_code,
    unit_code,
    period,
    status,
    reasons,
    warnings,
    value_rows
from verdicts;

insert into baseline_facts
select
    batch_rows.filename,
    batch_rows.source_row,
    batch_rows.dataset_code,
    batch_rows.unit_code,
    batch_rows.period,
    batch_rows.indicator_code,
    batch_rows.disaggregation,
    batch_rows.value,
    batch_rows.note
from batch_rows
inner join verdicts on batch_rows.filename = verdicts.filename and verdicts.status = 'accepted';

commit;
