-- How many files arrived, by verdict.
select status, count(*) as files
from submissions
group by status;
