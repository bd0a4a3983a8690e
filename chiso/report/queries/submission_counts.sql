-- How many files arrived, by verdict.
select
    status,
    count(*) as files
from submission_records
group by status;
