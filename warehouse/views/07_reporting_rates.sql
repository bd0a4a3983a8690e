-- One row per data set × period: how many expected reports arrived, and how many on time.
create or replace view reporting_rates as
select
    dataset_code,
    period,
    count(*) as expected_reports,
    count(*) filter (where status in ('on_time', 'late')) as received_reports,
    count(*) filter (where status = 'on_time') as on_time_reports,
    count(*) filter (where status = 'not_due') as not_yet_due_reports,
    -- rates over the reports already due: a period in its grace days is not "missing" yet
    round(
        100.0 * count(*) filter (where status in ('on_time', 'late'))
        / nullif(count(*) filter (where status <> 'not_due'), 0), 1
    ) as reporting_rate,
    round(
        100.0 * count(*) filter (where status = 'on_time')
        / nullif(count(*) filter (where status <> 'not_due'), 0), 1
    ) as on_time_rate
from completeness
group by dataset_code, period;
