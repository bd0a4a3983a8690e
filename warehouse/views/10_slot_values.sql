-- One row per slot (data set × unit × period) with a file in force: that file and a digest of its
-- values, what an approval vouches for (changed values, another digest).
create or replace view slot_values as
with in_force as (
    select
        submission_id,
        dataset_code,
        unit_code,
        period,
        received_at
    from submission_records
    where status = 'accepted'
),

digests as (
    select
        submission_id,
        md5(
            string_agg(
                indicator_code || '|' || disaggregation || '|' || coalesce(cast(value as varchar), ''),
                ';' order by indicator_code, disaggregation
            )
        ) as values_digest
    from indicator_facts
    group by submission_id
)

select
    in_force.dataset_code,
    in_force.unit_code,
    in_force.period,
    in_force.submission_id,
    in_force.received_at,
    digests.values_digest
from in_force
left join digests using (submission_id);
