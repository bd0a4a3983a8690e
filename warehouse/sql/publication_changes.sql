-- The submissions that entered or left the published state with publication $1, since the
-- previous publication (whose last submission id is $2, NULL for the first): entered (now in force,
-- not then), left (in force then, not now), received (new since, not in force: rejected, a
-- duplicate, or older than the report in force).
insert into publication_changes
with in_force_before as (
    select
        submission_id,
        change
    from publication_changes
    qualify row_number() over (partition by submission_id order by publication_no desc) = 1
),

before as (
    select submission_id
    from in_force_before
    where change = 'entered'
),

in_force as (
    select submission_id
    from submission_records
    where status = 'accepted'
)

select
    $1 as publication_no,
    in_force.submission_id,
    'entered' as change
from in_force
anti join before using (submission_id)
union all
select
    $1 as publication_no,
    before.submission_id,
    'left' as change
from before
anti join in_force using (submission_id)
union all
select
    $1 as publication_no,
    submission_id,
    'received' as change
from submission_records
where submission_id > coalesce($2, 0) and status <> 'accepted';
