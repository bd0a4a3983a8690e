-- Record one item of a message the SMTP server accepted (or the outbox holds): its claim is
-- completed; a claim given up meanwhile is written again; an item another notifier recorded
-- first keeps that first record.
insert into notices (
    kind, unit_code, dataset_code, period, run_id, submission_ids, message_kind, message_id,
    claimed_at, sent_at, channel, recipients, subject
)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
on conflict (kind, unit_code, dataset_code, period, run_id) do update set
    submission_ids = excluded.submission_ids,
    message_kind = excluded.message_kind,
    message_id = excluded.message_id,
    sent_at = excluded.sent_at,
    channel = excluded.channel,
    recipients = excluded.recipients,
    subject = excluded.subject
where notices.sent_at is null;
