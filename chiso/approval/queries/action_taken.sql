-- The action recorded under a caller's request id (none: not taken yet).
select *
from approval_log
where request_id = $1
