"""What the chiso DAGs share: their `@dag` arguments, the retry policy of every task, the notice tasks.

The DAG files (`dags/`) declare their schedule and their own tasks with `chiso_task`; the two that
tell people (`chiso_ingest`, `chiso_reminders`) take the same three notice tasks from
`notice_tasks`. It lives in the installed package, not in `dags/`, for the reason
`chiso.airflow_glue.triggers` does: every Airflow process can import it, whether or not it puts the DAG folder
on `sys.path`.

Parsing a DAG file (the DAG processor does it every few minutes, every task runner once) costs
Airflow's SDK and the bottom layer only, and leaves nothing behind: no folder made, no warehouse or
portal file opened, no environment written. The one file it reads is the catalog's plan, for the
province's time zone. Each task body imports the chiso function it calls; the engineers' alert is
made when a task has failed (`alert_engineers`), not when the file is parsed.

The retry policy (`retry_policy`, applied to every task by `chiso_task`): an error a retry would
meet again — a setting or the catalog that cannot be used, a file given as the warehouse that is
not one — fails the task at once, so the engineers hear of it now, not after the retries; anything
else — a busy writer (`warehouse.lock.WarehouseBusy`), a full disk, a killed worker — is retried
as the DAG's `retries` and `retry_delay` say.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pendulum
from airflow.sdk import TaskGroup, task
from airflow.sdk.exceptions import AirflowFailException

from core.catalog import Catalog, CatalogError
from core.settings import WAREHOUSE_POOL, SettingError, Settings, load_settings

# The first day of the DAGs' schedules; catchup is off, so no run is made for the days before today.
FIRST_DAY = (2024, 1, 1)


@functools.cache
def _zone_name(catalog_dir: Path) -> str:
    return Catalog(catalog_dir).plan["timezone"]


def province_time(settings: Settings) -> pendulum.Timezone:
    """The province's time zone, the catalog plan's; pendulum's, which Airflow wants (not zoneinfo's)."""
    return pendulum.timezone(_zone_name(settings.catalog_dir))


def dag_arguments(
    settings: Settings, *, retries: int, retry_delay: timedelta, execution_timeout: timedelta
) -> dict[str, Any]:
    """The `@dag` arguments of every chiso DAG: a start in the province's time, one run at a time,
    no catch-up, and every task's retries, time limit and failure alert."""
    return {
        "start_date": datetime(*FIRST_DAY, tzinfo=province_time(settings)),
        "catchup": False,
        "max_active_runs": 1,
        "tags": ["chiso"],
        "default_args": {
            "retries": retries,
            "retry_delay": retry_delay,
            "execution_timeout": execution_timeout,
            "on_failure_callback": alert_engineers,
        },
    }


def writer(settings: Settings) -> dict[str, str]:
    """The task arguments of a task that writes DuckDB: the warehouse pool's one slot, the loader's queue."""
    return {"pool": WAREHOUSE_POOL, "queue": settings.loader_queue}


def as_of(params: dict | None) -> date | None:
    """The run's `as_of` Param (a date), None for today."""
    return date.fromisoformat(params["as_of"]) if params and params.get("as_of") else None


def terminal_errors() -> tuple[type[Exception], ...]:
    """The errors a retry would meet again: the settings, the catalog, a warehouse that is not one."""
    from warehouse.db import NotAWarehouse  # asked after a task failed: DAG parsing loads no DuckDB

    return (SettingError, CatalogError, NotAWarehouse)


def retry_policy(function: Callable) -> Callable:
    """`function`, failing its task at once (no retry) on a terminal error; any other error is retried."""

    @functools.wraps(function)  # Airflow reads the signature (`params`) and the name (the task id) through it
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            if isinstance(error, terminal_errors()):
                raise AirflowFailException(f"{type(error).__name__}: {error} (not retried)") from error
            raise

    return run


def chiso_task(**arguments: Any) -> Callable[[Callable], Any]:
    """Airflow's `@task(**arguments)` under the retry policy: every task of the chiso DAGs is declared with it."""

    def decorate(function: Callable) -> Any:
        return task(**arguments)(retry_policy(function))

    return decorate


def alert_engineers(context: Any) -> None:
    """Every task's `on_failure_callback`: e-mail the data engineers (chiso.airflow_glue.alerts), the notifier
    made in the failed task's process, so that parsing a DAG reads no contacts and writes no connection."""
    from chiso.airflow_glue.alerts import engineer_alerts  # after a failure: DAG parsing loads no SMTP provider

    for notify in engineer_alerts(load_settings()):
        notify(context)


def notice_tasks(settings: Settings, *, owed: Literal["after_ingest", "scheduled"]) -> TaskGroup:
    """claim_notices >> deliver_notices >> record_notices, the group `notices` of a DAG.

    `owed`: "after_ingest", what the ingest runs not told yet owe the units (refusals, late files,
    warnings); "scheduled", the reminders of the day (Param `as_of`) and the week's digest.
    Planning and recording write the warehouse (its pool, the loader's queue); sending takes neither
    and has no retry: what it could not deliver waits for the next run, and the run is not failed for it.
    """
    with TaskGroup("notices", prefix_group_id=False) as group:

        @chiso_task(**writer(settings), show_return_value_in_logs=False)  # the claim holds addresses and every reason
        def claim_notices(params: dict | None = None) -> dict:
            # in the task: DAG parsing loads no pandas, GX, DuckDB
            from chiso.notices.run import claim_after_ingest, claim_scheduled
            from portal.directory import PortalAccounts

            accounts = PortalAccounts(settings.accounts)
            if owed == "after_ingest":
                return claim_after_ingest(settings, accounts=accounts)
            return claim_scheduled(settings, as_of(params), accounts=accounts)

        @chiso_task(retries=0, show_return_value_in_logs=False)  # what could not be sent waits for the next run
        def deliver_notices(claimed: dict) -> dict:
            # in the task: DAG parsing loads no pandas, GX, DuckDB
            from chiso.notices.run import deliver
            from portal.directory import PortalAccounts

            return deliver(claimed, settings, accounts=PortalAccounts(settings.accounts))

        @chiso_task(**writer(settings))
        def record_notices(outcome: dict) -> dict:
            from chiso.notices.run import record  # in the task: DAG parsing loads no pandas, GX, DuckDB

            return record(outcome, settings)

        record_notices(deliver_notices(claim_notices()))
    return group
