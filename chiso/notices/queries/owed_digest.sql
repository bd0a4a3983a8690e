-- One row if the province is owed the digest of the ISO week of the day `as_of` (`2017-W27`): it
-- was not delivered one that week yet.
with this_week as (
    select
        province_code,
        strftime(getvariable('as_of'), '%G-W%V') as week
    from plan
)

select
    'digest' as kind,
    this_week.province_code as notice_unit,
    '' as notice_dataset,
    this_week.week as notice_period,
    '' as run_id,
    null as submission_id
from this_week
-- told(...) is expanded in place, inside a query of the ledger: its arguments are qualified
where not told('digest', this_week.province_code, '', this_week.week, '');
