"""Ingest the inbox on a schedule: chunks of files -> verdicts and loads -> analysts' snapshot.

Thin wiring only: each task calls a tested function of chiso.pipeline (as `chiso inbox` does).
Every task that writes DuckDB takes the one slot of the warehouse pool (core.settings.WAREHOUSE_POOL).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from airflow.sdk import Asset, Param, dag, task

from core.settings import WAREHOUSE_ASSET, WAREHOUSE_POOL, load_settings

SETTINGS = load_settings()
WAREHOUSE = Asset(**WAREHOUSE_ASSET)
WRITER = {"pool": WAREHOUSE_POOL, "queue": SETTINGS.loader_queue}


def _as_of(params: dict):
    return date.fromisoformat(params["as_of"]) if params.get("as_of") else None


@dag(
    schedule=SETTINGS.schedule,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["chiso"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=20), "execution_timeout": timedelta(minutes=30)},
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

    ingest_chunk.expand(paths=list_chunks()) >> publish()


chiso_ingest()
