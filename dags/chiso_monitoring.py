"""Refresh the monitoring outputs whenever the warehouse snapshot changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from chiso.notices.alerts import engineer_alerts
from core.settings import WAREHOUSE_ASSET, load_settings

SETTINGS = load_settings()


@dag(
    schedule=[Asset(**WAREHOUSE_ASSET)],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["chiso"],
    default_args={
        "retries": 1,
        "retry_delay": timedelta(seconds=20),
        "execution_timeout": timedelta(minutes=15),
        "on_failure_callback": engineer_alerts(SETTINGS),
    },
    doc_md=__doc__,
)
def chiso_monitoring():
    @task
    def refresh_outputs() -> dict:
        from chiso.monitoring import refresh_outputs  # in the task: DAG parsing loads no pandas, DuckDB

        return refresh_outputs(SETTINGS)

    refresh_outputs()


chiso_monitoring()
