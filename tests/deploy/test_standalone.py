"""`make airflow` on a port other than 8080: its DAGs unpaused, and a file dropped in the inbox ingested by itself.

`airflow standalone` runs scheduler, dag-processor, api-server and triggerer with the
environment `dev.embedded.airflow_env` gives it (LocalExecutor, SQLite). The test prepares
Airflow as `make airflow` does (`prepare`, `unpause_chiso_dags`), then runs those four
components the same way, on a free port (one by one rather than through `airflow standalone`,
so that no log server listens on every interface: standalone cannot be told to skip them).
Every URL comes from the one port: the tasks call the Execution API, once looked for on 8080.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import duckdb
from services import VENV_BIN, Stack, free_port, wait_for

from builders import csv_bytes, department_report, write
from core.settings import load_settings
from dev.embedded import airflow_env, api_urls, prepare, unpause_chiso_dags


def resolved_execution_api_url(env: dict[str, str]) -> str:
    code = "from airflow.executors.base_executor import get_execution_api_server_url as u; print(u())"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_without_the_derived_urls_tasks_would_call_8080(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    assert resolved_execution_api_url({**bare, "AIRFLOW__API__PORT": "8765"}) == "http://localhost:8080/execution/"
    monkeypatch.setenv("AIRFLOW__API__PORT", "8765")
    env = airflow_env(load_settings(home=tmp_path / "chiso"))
    assert resolved_execution_api_url(env) == "http://127.0.0.1:8765/execution/"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:8765"
    assert api_urls(8765)["AIRFLOW__API__HOST"] == "127.0.0.1"


def test_a_dropped_file_is_ingested_by_itself_with_the_api_on_another_port(tmp_path, monkeypatch):
    port = free_port()
    for name in [k for k in os.environ if k.startswith(("AIRFLOW__", "CHISO_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AIRFLOW__API__PORT", str(port))
    monkeypatch.setenv("CHISO_SETTLE_SECONDS", "2")
    settings = load_settings(home=tmp_path / "chiso", airflow_home=tmp_path / "airflow")
    env = {
        **airflow_env(settings),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW_HOME": str(settings.airflow_home),
    }
    stack = Stack(tmp_path)
    try:
        with (tmp_path / "make-airflow.log").open("w") as log:
            prepare(settings, env, log)
            assert unpause_chiso_dags(env, log) == ["chiso_ingest", "chiso_monitoring", "chiso_reminders"]
        for name, args in (
            ("scheduler", ["scheduler", "--skip-serve-logs"]),
            ("dag-processor", ["dag-processor"]),
            ("api-server", ["api-server"]),
            ("triggerer", ["triggerer", "--skip-serve-logs"]),
        ):
            stack.start(name, [str(VENV_BIN / "airflow"), *args], env, cwd=tmp_path)
        db = settings.airflow_home / "airflow.db"
        query = lambda sql: sqlite3.connect(db, timeout=30).execute(sql).fetchall()  # noqa: E731
        assert query("select dag_id from dag where is_paused order by 1") == []
        wait_for(
            "the inbox watcher running",
            lambda: query("select 1 from trigger"),
            180,
            1,
            log=tmp_path / "logs" / "triggerer.log",
        )
        dropped = time.monotonic()
        write(settings.inbox / "dropped.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
        os.utime(settings.inbox / "dropped.csv")  # received now: it settles 2 s from now

        def judged():
            if not settings.snapshot.exists():
                return None
            with duckdb.connect(str(settings.snapshot), read_only=True) as snapshot:
                return snapshot.execute("select status from submissions where file_name = 'dropped.csv'").fetchall()

        [(status,)] = wait_for("the dropped file judged", judged, 180, 1, log=tmp_path / "logs" / "scheduler.log")
        seconds = time.monotonic() - dropped
        print(f"\napi port {port}: dropped.csv {status} in the snapshot {seconds:.0f} s after it landed")
        assert status == "accepted"

        # A unit's approval as the portal queues it: the watcher fires, the DAG's writer takes it and answers.
        from chiso.approval.requests import Asked, answer, ask

        clicked = time.monotonic()
        request_id = ask(settings.inbox, "truongphong@example.vn", [Asked("DP-SN", "SKHCN", "2017Q2", "approve")])
        answered = wait_for("the approval answered", lambda: answer(settings.inbox, request_id), 180, 0.2)
        with duckdb.connect(str(settings.snapshot), read_only=True) as snapshot:
            [(state,)] = snapshot.execute("select state from slot_approvals where unit_code = 'SKHCN'").fetchall()
        print(f"approval queued -> answered, the snapshot showing it: {time.monotonic() - clicked:.1f} s")
        assert answered.done and state == "approved"
        failed = query("select task_id, state from task_instance where state in ('failed', 'upstream_failed')")
        assert failed == []
    finally:
        stack.close()
