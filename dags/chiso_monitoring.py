"""Refresh the monitoring outputs whenever the warehouse snapshot changes."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, dag

from chiso.airflow_glue.tasks import chiso_task, dag_arguments
from core.settings import WAREHOUSE_ASSET, load_settings

SETTINGS = load_settings()


@dag(
    schedule=[Asset(**WAREHOUSE_ASSET)],
    **dag_arguments(SETTINGS, retries=1, retry_delay=timedelta(seconds=20), execution_timeout=timedelta(minutes=15)),
    doc_md=__doc__,
)
def chiso_monitoring():
    @chiso_task()
    def refresh_outputs() -> dict:
        from chiso.monitoring import refresh_outputs  # in the task: DAG parsing loads no pandas, DuckDB

        return refresh_outputs(SETTINGS)

    refresh_outputs()


chiso_monitoring()
