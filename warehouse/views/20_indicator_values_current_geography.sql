-- One row per current value of indicator_values × unit of a geography it is re-expressed in (a merge: one; a
-- split: one per successor), or one row with unit_code and value blank when the geography cannot hold it.
-- The geography of a day is the units valid on that day; the rules are written once, in the table macro
-- `indicator_values_in_geography_of(day)`, over the catalog's unit_successions (migration 013):
-- - a unit ended on or before `day` hands its values on to its successors (rows whose effective_date <= day),
--   followed transitively (STTTT -> SKHCN -> SKHCN-TQ): the weights of the path multiply;
-- - a unit begun after `day` hands its values back to its predecessors (rows whose effective_date > day) by
--   reverse_weight; a blank reverse weight (the successor's territory is not wholly the catalog's units), or an
--   `end` row, leaves the value out: one row with unit_code and value blank (the roll-up says it is incomplete);
-- - a value is multiplied by the path's weight when its indicator adds across units (`across_units` = sum); a
--   `mean` indicator's value is copied whole to each unit, never weighted;
-- - allocated: a weight other than 1 was on the path (a split; going back, a share of a new unit);
-- - a unit with no succession row keeps its values (a catalog without successions: every value as reported);
--   one not valid on `day` with no row to follow (outside the geography's territory) is left out, no row.
-- Extra columns: the geography's unit_code is the unit the value is re-expressed in; reported_unit_code and
-- reported_value are the value as reported; weight the factor applied (the paths' shares added, 1 for a mean);
-- succession_paths the units each path passed: each two neighbours are a row of unit_successions (lineage).
-- indicator_values_current_geography is the geography of current_geography_day(), the latest effective_date
-- (today's units); the past geography's day is past_geography_day(), the day before it (the units valid just
-- before the latest reform). Without successions both are blank: every value as reported.
create or replace macro current_geography_day() as (select max(effective_date) from unit_successions);

create or replace macro past_geography_day() as (select max(effective_date) - 1 from unit_successions);

-- A weight written as a fraction ('7/16', '1'), as a number; blank or not a fraction: null.
create or replace macro fraction_value(fraction) as
try_cast(split_part(fraction, '/', 1) as double)
/ coalesce(try_cast(nullif(split_part(fraction, '/', 2), '') as double), 1);

create or replace macro indicator_values_in_geography_of(day) as table
    with recursive steps as (
    -- forward: an old unit's values go to its successor by weight (an `end` row: to no one)
        select
            from_code as unit_code,
            to_code as next_code,
            -- the exact fraction the catalog wrote (1/24), else the decimal: 48 x 1/24 is 2, not 2.000000000016
            coalesce(fraction_value(weight_fraction), cast(weight as double)) as share
        from unit_successions
        where effective_date <= day
        union all
        -- backward: a new unit's values go back to its predecessor by reverse weight (blank: cannot)
        select
            to_code as unit_code,
            from_code as next_code,
            coalesce(fraction_value(reverse_weight_fraction), cast(reverse_weight as double)) as share
        from unit_successions
        where effective_date > day and to_code is not null
    ),

    paths (reported_unit_code, unit_code, share, allocated, blocked, succession_path) as (
        select
            unit_code as reported_unit_code,
            unit_code,
            cast(1 as double) as share,
            false as allocated,
            false as blocked,
            [unit_code] as succession_path
        from (select distinct unit_code from indicator_values) as reported_units
        union all
        select
            paths.reported_unit_code,
            if(steps.next_code is null or steps.share is null, null, steps.next_code) as unit_code,
            paths.share * steps.share as share,
            paths.allocated or steps.share <> 1 as allocated,
            steps.next_code is null or steps.share is null as blocked,
            if(
                steps.next_code is null or steps.share is null,
                paths.succession_path,
                list_append(paths.succession_path, steps.next_code)
            ) as succession_path
        from paths
        inner join steps on paths.unit_code = steps.unit_code
        where not paths.blocked
    ),

    ends as (
    -- the paths' last units: a unit of the geography (the paths reaching it from one reported unit added up:
    -- H3 -> H1 -> X2 and H3 -> H2 -> X2), or a blocked path (one row per reported unit)
        select
            paths.reported_unit_code,
            paths.unit_code,
            sum(paths.share) as share,
            bool_or(paths.allocated) as allocated,
            paths.blocked,
            list(paths.succession_path order by paths.succession_path) as succession_paths
        from paths
        left join units on paths.unit_code = units.unit_code
        where
            (paths.blocked or not exists (
                select 1 from steps
                where steps.unit_code = paths.unit_code
            ))
            and (
                paths.blocked
                -- day is the macro's parameter, not a column (RF02)
                or day is null  -- noqa: RF02
                or (units.valid_from <= day and coalesce(units.valid_to, day) >= day)  -- noqa: RF02
            )
        group by paths.reported_unit_code, paths.unit_code, paths.blocked
    )

    select
        reported.dataset_code,
        ends.unit_code,
        reported.period,
        reported.indicator_code,
        reported.disaggregation,
        case
            when ends.blocked then null
            when indicators.across_units = 'mean' then reported.value
            else cast(reported.value * ends.share as double)
        end as value,
        reported.note,
        reported.submission_id,
        reported.source_row,
        reported.received_at,
        coalesce(ends.allocated and not ends.blocked, false) as allocated,
        reported.unit_code as reported_unit_code,
        reported.value as reported_value,
        case
            when ends.blocked then null
            when indicators.across_units = 'mean' then 1.0
            else cast(ends.share as double)
        end as weight,
        ends.succession_paths
    from indicator_values as reported
    inner join ends on reported.unit_code = ends.reported_unit_code
    inner join indicators on reported.indicator_code = indicators.indicator_code;

create or replace view indicator_values_current_geography as
select
    dataset_code,
    unit_code,
    period,
    indicator_code,
    disaggregation,
    value,
    note,
    submission_id,
    source_row,
    received_at,
    'current' as geography,
    allocated,
    reported_unit_code,
    reported_value,
    weight,
    succession_paths
from indicator_values_in_geography_of(current_geography_day());
