-- Every publication, the newest first.
select
    publication_no as number,
    published_at,
    cause,
    run_id,
    last_submission_id,
    last_action_id,
    digest
from publications
order by publication_no desc;
