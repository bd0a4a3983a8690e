-- A copy of a snapshot cut back to a publication (warehouse/publications.py, rebuild_past): the
-- history that came after it removed. Variables: publication_no, last_submission, last_action.
delete from findings
where submission_id > getvariable('last_submission');
delete from indicator_facts
where submission_id > getvariable('last_submission');
delete from submission_records
where submission_id > getvariable('last_submission');
delete from approval_log
where action_id > getvariable('last_action');
delete from publication_changes
where publication_no > getvariable('publication_no');
delete from publication_tables
where publication_no > getvariable('publication_no');
delete from publications
where publication_no > getvariable('publication_no');
