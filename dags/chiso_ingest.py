"""Ingest the inbox when files arrive, and on a schedule: chunks of files -> verdicts and loads -> snapshot -> notices.

Thin wiring only: each task calls a tested function of chiso.pipeline or chiso.notices.run (as
`chiso inbox` does). Every task that writes DuckDB takes the one slot of the warehouse pool
(core.settings.WAREHOUSE_POOL); sending the notices takes none, so a slow or absent mail server
never holds a load up, and it never fails: what it could not send waits for the next run.
A failed task e-mails the data engineers (chiso.notices.alerts).

Scheduled on "asset or time": the `chiso_inbox` Asset is updated by its watcher (the triggerer
runs `chiso.triggers.InboxTrigger`) once new files have arrived whole (chiso.arrivals), and the
cron schedule stays as a safety net (a triggerer down, a file the watcher missed). With
max_active_runs=1, events that arrive during a run start one follow-up run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, Param, dag, task

from chiso.notices.alerts import engineer_alerts
from chiso.triggers import InboxTrigger
from core.settings import WAREHOUSE_ASSET, WAREHOUSE_POOL, load_settings

SETTINGS = load_settings()
WAREHOUSE = Asset(**WAREHOUSE_ASSET)
INBOX = Asset(
    name="chiso_inbox",
    uri=f"file://{SETTINGS.inbox}",
    watchers=[
        AssetWatcher(name="chiso_inbox_watcher", trigger=InboxTrigger(str(SETTINGS.inbox), SETTINGS.settle_seconds))
    ],
)
WRITER = {"pool": WAREHOUSE_POOL, "queue": SETTINGS.loader_queue}
ALERTS = engineer_alerts(SETTINGS)


def _as_of(params: dict):
    return date.fromisoformat(params["as_of"]) if params.get("as_of") else None


@dag(
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(SETTINGS.schedule, timezone="UTC"), assets=INBOX),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["chiso"],
    default_args={
        "retries": 2,
        "retry_delay": timedelta(seconds=20),
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": ALERTS,
    },
    params={
        "as_of": Param(None, type=["null", "string"], format="date", description="day of ingestion (default today)")
    },
    doc_md=__doc__,
)
def chiso_ingest():
    @task
    def list_chunks() -> list[list[str]]:
        from chiso.pipeline import inbox_chunks  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return inbox_chunks(SETTINGS)

    @task(**WRITER, max_active_tis_per_dag=1)
    def ingest_chunk(paths: list[str], params=None) -> dict:
        from chiso.pipeline import ingest_inbox_chunk  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return ingest_inbox_chunk(paths, SETTINGS, _as_of(params))

    @task(**WRITER, outlets=[WAREHOUSE], trigger_rule="none_failed")
    def publish() -> str:
        from chiso.pipeline import publish_snapshot  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return publish_snapshot(SETTINGS)

    @task(**WRITER, show_return_value_in_logs=False)  # the plan holds addresses and every reason
    def plan_notices() -> dict:
        from chiso.notices.run import plan_after_ingest  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return plan_after_ingest(SETTINGS)

    @task(retries=0, show_return_value_in_logs=False)  # what could not be sent waits for the next run
    def send_notices(plan: dict) -> dict:
        from chiso.notices.run import send  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return send(plan, SETTINGS)

    @task(**WRITER)
    def record_notices(outcome: dict) -> dict:
        from chiso.notices.run import record  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return record(outcome, SETTINGS)

    planned = plan_notices()
    ingest_chunk.expand(paths=list_chunks()) >> publish() >> planned
    record_notices(send_notices(planned))


chiso_ingest()
