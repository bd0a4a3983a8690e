-- told(kind, unit, data set, period, run): whether the ledger holds this item, claimed or delivered,
-- so that it is owed no more. chiso creates it as a temporary macro of the notifier's connection.
create or replace temp macro told(item_kind, item_unit, item_dataset, item_period, item_run) as exists (
    select 1
    from notices
    where kind = item_kind
        and unit_code = item_unit
        and dataset_code = item_dataset
        and period = item_period
        and run_id = item_run
);
