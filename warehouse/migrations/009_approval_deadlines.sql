-- Deadlines of approval, issue 20: a data set may close N days after its due date (late files then
-- need the province to reopen the slot, until a date), and says how long a slot may wait for its
-- unit's approval before the approver is reminded. Blank in the catalog (NULL): never.

alter table datasets add column lock_after_days integer;
alter table datasets add column approve_within_days integer;

-- A reopening of a slot closed by its data set's deadline lasts until this time (NULL: until the
-- next acceptance, as a reopened accepted slot).
alter table approval_log add column open_until timestamp;
