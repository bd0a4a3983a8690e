-- One row per publication of the snapshot, the newest first: when, what caused it, how many
-- submissions entered, left or were received without entering.
select
    publications.publication_no,
    publications.published_at,
    publications.cause,
    publications.run_id,
    publications.submissions_in_force,
    publications.digest,
    count(changes.submission_id) filter (where changes.change = 'entered') as entered,
    count(changes.submission_id) filter (where changes.change = 'left') as left_published,
    count(changes.submission_id) filter (where changes.change = 'received') as received
from publications
left join publication_changes as changes using (publication_no)
group by all
order by publications.publication_no desc;
