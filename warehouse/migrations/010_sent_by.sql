-- Who brought a file, issue 21 (lineage, rebuild): the portal account's e-mail for a file sent
-- through the portal (from the send's sidecar record beside the file), NULL for a file copied into
-- the inbox or given to `chiso ingest`.
alter table submission_records add column sent_by varchar;
