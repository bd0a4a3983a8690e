-- The last publication: its number, digest and the last submission it held.
select
    publication_no,
    digest,
    last_submission_id
from publications
order by publication_no desc
limit 1;
