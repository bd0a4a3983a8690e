"""Ingest the inbox when files arrive, and on a schedule: chunks of files -> verdicts and loads -> snapshot -> notices.

The portal's approval actions arrive in the inbox too (queued requests, chiso.approval.requests):
`take_approvals` applies them beside the chunks, under the same one writer, before the publish.

Thin wiring only: each task calls a tested function of chiso.pipeline (as `chiso inbox` does), and
the notice tasks are the group `chiso_reminders` has too (chiso.airflow_glue.tasks.notice_tasks).
Each chunk's task names its files, their verdicts and the tables it wrote in its OpenLineage events
(chiso.airflow_glue.lineage). Every task
that writes DuckDB takes the one slot of the warehouse pool (core.settings.WAREHOUSE_POOL); delivering
the notices takes none, so a slow or absent mail server never holds a load up, and it never fails:
what it could not send waits for the next run. A task that fails on a setting or the catalog fails
at once, anything else (a busy writer) is retried; a failed task e-mails the data engineers
(chiso.airflow_glue.tasks).

Scheduled on "asset or time": the `chiso_inbox` Asset is updated by its watcher (the triggerer
runs `chiso.airflow_glue.triggers.InboxTrigger`) once new files have arrived whole (chiso.arrivals), and the
cron schedule stays as a safety net (a triggerer down, a file the watcher missed). With
max_active_runs=1, events that arrive during a run start one follow-up run.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, Param, dag

from chiso.airflow_glue.tasks import as_of, chiso_task, dag_arguments, notice_tasks, writer
from chiso.airflow_glue.triggers import InboxTrigger
from core.settings import WAREHOUSE_ASSET, load_settings

SETTINGS = load_settings()
WAREHOUSE = Asset(**WAREHOUSE_ASSET)
INBOX = Asset(
    name="chiso_inbox",
    uri=f"file://{SETTINGS.inbox}",
    watchers=[
        AssetWatcher(name="chiso_inbox_watcher", trigger=InboxTrigger(str(SETTINGS.inbox), SETTINGS.settle_seconds))
    ],
)


@dag(
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(SETTINGS.schedule, timezone="UTC"), assets=INBOX),
    **dag_arguments(SETTINGS, retries=2, retry_delay=timedelta(seconds=20), execution_timeout=timedelta(minutes=30)),
    params={
        "as_of": Param(None, type=["null", "string"], format="date", description="day of ingestion (default today)")
    },
    doc_md=__doc__,
)
def chiso_ingest():
    @chiso_task()
    def list_chunks() -> list[list[str]]:
        from chiso.pipeline import inbox_chunks  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return inbox_chunks(SETTINGS)

    @chiso_task(**writer(SETTINGS), max_active_tis_per_dag=1)
    def ingest_chunk(paths: list[str], params=None) -> dict:
        from chiso.airflow_glue.lineage import chunk_lineage  # in the task: DAG parsing loads no OpenLineage
        from chiso.pipeline import ingest_inbox_chunk  # in the task: DAG parsing loads no pandas, GX, DuckDB

        with chunk_lineage(SETTINGS):  # the files judged and the tables written, in the task's OpenLineage events
            return ingest_inbox_chunk(paths, SETTINGS, as_of(params))

    @chiso_task(**writer(SETTINGS), outlets=[WAREHOUSE], trigger_rule="none_failed")
    def publish(run_id=None) -> str:  # Airflow passes the DAG run's id: kept with the publication
        from chiso.pipeline import publish_snapshot  # in the task: DAG parsing loads no pandas, GX, DuckDB

        return publish_snapshot(SETTINGS, cause="dag", run_id=run_id)

    @chiso_task(**writer(SETTINGS))
    def take_approvals() -> dict:
        from chiso.approval.requests import take_waiting  # in the task: DAG parsing loads no DuckDB

        return take_waiting(SETTINGS)

    loads = [ingest_chunk.expand(paths=list_chunks()), take_approvals()]
    loads >> publish() >> notice_tasks(SETTINGS, owed="after_ingest")


chiso_ingest()
