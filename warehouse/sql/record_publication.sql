-- Number a publication ($1), caused by $2 (run $3), of digest $4, at the province's time now,
-- with how far the history reaches and how many submissions it holds.
insert into publications
select
    $1 as publication_no,
    coalesce((select timezone(any_value(plan.timezone), now()) from plan), now()::timestamp) as published_at,
    $2 as cause,
    $3 as run_id,
    (select max(submission_id) from submission_records) as last_submission_id,
    (select max(action_id) from approval_log) as last_action_id,
    (
        select count(*) from submission_records
        where status = 'accepted'
    ) as submissions_in_force,
    (select count(*) from submission_records) as submissions_received,
    $4 as digest;
