"""Remind the units of their reports before and after the due dates; the province's weekly digest.

Daily at CHISO_REMINDER_SCHEDULE (08:00 in the province's time by default). Each unit gets one
message a day at most: the reports due within its data set's `reminder_days_before` days, and
those overdue, that it has not been reminded of yet; the first run of each ISO week also sends
the province its digest. Planning and recording take the warehouse pool; sending takes none and
never fails: what it could not send waits for the next run. A failed task e-mails the data
engineers (chiso.notices.alerts).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from chiso.notices.alerts import engineer_alerts
from core.catalog import Catalog
from core.settings import WAREHOUSE_POOL, load_settings

SETTINGS = load_settings()
WRITER = {"pool": WAREHOUSE_POOL, "queue": SETTINGS.loader_queue}
# Airflow wants pendulum's time zones, not zoneinfo's.
PROVINCE_TIME = pendulum.timezone(Catalog(SETTINGS.catalog_dir).plan["timezone"])


def _as_of(params: dict):
    return date.fromisoformat(params["as_of"]) if params.get("as_of") else None


@dag(
    schedule=CronTriggerTimetable(SETTINGS.reminder_schedule, timezone=PROVINCE_TIME),
    start_date=datetime(2024, 1, 1, tzinfo=PROVINCE_TIME),
    catchup=False,
    max_active_runs=1,
    tags=["chiso"],
    default_args={
        "retries": 1,
        "retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": engineer_alerts(SETTINGS),
    },
    params={"as_of": Param(None, type=["null", "string"], format="date", description="the day (default today)")},
    doc_md=__doc__,
)
def chiso_reminders():
    @task(**WRITER, show_return_value_in_logs=False)  # the plan holds addresses and every reason
    def plan_reminders(params=None) -> dict:
        from chiso.notices.run import plan_scheduled  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return plan_scheduled(SETTINGS, _as_of(params))

    @task(retries=0, show_return_value_in_logs=False)  # what could not be sent waits for the next run
    def send_reminders(plan: dict) -> dict:
        from chiso.notices.run import send  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return send(plan, SETTINGS)

    @task(**WRITER)
    def record_reminders(outcome: dict) -> dict:
        from chiso.notices.run import record  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return record(outcome, SETTINGS)

    record_reminders(send_reminders(plan_reminders()))


chiso_reminders()
