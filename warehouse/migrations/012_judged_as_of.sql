-- The day a file was judged as of, issue 21 (rebuild): timeliness, the late warnings and the closed
-- slots depend on it, and `chiso rebuild` judges each file again as of the same day (its receipt
-- beside the stored file carries it too).
alter table submission_records add column judged_as_of date;

-- The last approval action (approval_log.action_id) in the log when the file was judged (NULL: none
-- yet): an accepted slot refuses later files, and a rebuild applies the log's actions up to this one
-- before judging the file again.
alter table submission_records add column judged_after_action bigint;
