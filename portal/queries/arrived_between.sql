-- One row: how many files the warehouse received after the snapshot a send was judged against ($1: its last
-- submission id) and before the send's own file ($2), with the same bytes ($3) or for the same report
-- ($4 data set, $5 unit, $6 period): why the verdict given at once may differ from the warehouse's.
select count(*) as files
from submission_records
where
    submission_id > $1
    and submission_id < $2
    and (sha256 = $3 or (dataset_code = $4 and unit_code = $5 and period = $6))
