"""The Airflow DAGs: clean imports, a real dag.test() run, idempotent reruns, crash and retry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import csv_bytes, department_report, district_report, write, xlsx_bytes
from core.settings import WAREHOUSE_POOL

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="session")
def airflow_db(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow")
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__UNIT_TEST_MODE="True",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
    )
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.resetdb()
    Pool.create_or_update_pool(WAREHOUSE_POOL, 1, "DuckDB single writer", include_deferred=False)
    return home


@pytest.fixture
def chiso_home(tmp_path, monkeypatch, airflow_db):
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    return tmp_path


def load_dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag.get_dag(dag_id)


def small_inbox(inbox: Path) -> dict[str, str]:
    write(inbox / "ok.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    write(inbox / "district.xlsx", xlsx_bytes(district_report()), received="2017-07-06 09:00")
    write(inbox / "bad.csv", csv_bytes(department_report("SYT").setting("NV_CUTHE", -1)), received="2017-07-07 09:00")
    write(inbox / "ok again.csv", csv_bytes(department_report()), received="2017-07-08 09:00")
    write(inbox / "scan.pdf", b"%PDF-1.4", received="2017-07-09 09:00")
    return {
        "ok.csv": "accepted",
        "district.xlsx": "accepted",
        "bad.csv": "rejected",
        "ok again.csv": "duplicate",
        "scan.pdf": "rejected",
    }


def statuses(home: Path) -> dict[str, str]:
    import duckdb

    with duckdb.connect(str(home / "warehouse" / "snapshot" / "chiso.duckdb"), read_only=True) as db:
        return dict(db.execute("select file_name, status from submissions").fetchall())


def test_dags_import_cleanly_without_heavy_libraries():
    code = (
        "import sys; from airflow.dag_processing.dagbag import DagBag; "
        f"bag = DagBag(dag_folder={str(DAGS)!r}); "
        "heavy = ('pandas', 'great_expectations', 'duckdb', 'openpyxl'); "
        "print(bag.import_errors, sorted(bag.dag_ids), sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW_HOME": "/tmp/chiso-dagbag-check"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().splitlines()[-1] == "{} ['chiso_ingest', 'chiso_monitoring'] []"


def test_ingest_dag_run_gives_verdicts_moves_files_publishes_and_updates_asset(chiso_home):
    expected = small_inbox(chiso_home / "inbox")
    run = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert run.state == "success"
    assert statuses(chiso_home) == expected
    assert list((chiso_home / "inbox").iterdir()) == []
    archived = sorted(p.name.split("_", 1)[1] for p in (chiso_home / "archive").rglob("*") if p.is_file())
    quarantined = sorted(p.name.split("_", 1)[1] for p in (chiso_home / "quarantine").rglob("*") if p.is_file())
    assert archived == ["district.xlsx", "ok again.csv", "ok.csv"]
    assert quarantined == ["bad.csv", "bad.csv.reasons.txt", "scan.pdf", "scan.pdf.reasons.txt"]
    reasons = next((chiso_home / "quarantine").rglob("*bad.csv.reasons.txt")).read_text(encoding="utf-8")
    assert "BỊ TỪ CHỐI / REJECTED" in reasons and "số âm" in reasons and "negative" in reasons

    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .filter(AssetModel.name == "chiso_warehouse")
            .all()
        )
        assert any(e.source_run_id == run.run_id for e in events)

    second = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert second.state == "success"
    assert statuses(chiso_home) == expected  # nothing new, nothing changed


def test_monitoring_dag_writes_completeness(chiso_home):
    small_inbox(chiso_home / "inbox")
    assert load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"}).state == "success"
    assert load_dag("chiso_monitoring").test().state == "success"
    completeness = (chiso_home / "reports" / "completeness.csv").read_text(encoding="utf-8")
    assert "DP-SN,SKHCN," in completeness and "on_time" in completeness


def test_loader_killed_mid_chunk_then_retried_leaves_no_duplicate(chiso_home):
    """SIGKILL after the chunk committed but before all files moved; the retry finishes the job."""
    expected = small_inbox(chiso_home / "inbox")
    code = (
        "from chiso.pipeline import inbox_chunks, ingest_inbox_chunk; from core.settings import load_settings; "
        "from datetime import date; c = load_settings(); ingest_inbox_chunk(inbox_chunks(c)[0], c, date(2018, 1, 1))"
    )
    env = {**os.environ, "CHISO_FAULT": "move.file:2:kill"}
    killed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert killed.returncode == -9
    assert len(list((chiso_home / "inbox").iterdir())) == len(expected) - 2

    run = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert run.state == "success"
    assert statuses(chiso_home) == expected
    assert list((chiso_home / "inbox").iterdir()) == []
    import duckdb

    with duckdb.connect(str(chiso_home / "warehouse" / "snapshot" / "chiso.duckdb"), read_only=True) as db:
        assert db.execute("select count(*), count(distinct submission_id) from submissions").fetchone() == (5, 5)
        assert db.execute("select bool_and(moved) from submissions").fetchone() == (True,)
        facts = db.execute("select count(*) from indicator_facts").fetchone()[0]
    assert facts == len(department_report().rows) + len(district_report().rows)
