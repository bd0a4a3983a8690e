"""The Airflow DAGs: clean imports, a real dag.test() run, idempotent reruns, crash and retry, notices and alerts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from builders import PROJECT_ROOT, csv_bytes, department_report, district_report, write, xlsx_bytes
from core.settings import WAREHOUSE_POOL, load_settings
from mailserver import MailServer, free_port

DAGS = Path(__file__).resolve().parents[2] / "dags"


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


# Parses dags/ with every file open, folder made, connection and environment write recorded (audit hooks).
PARSE_PROBE = """
import json, os, sys
from airflow.dag_processing.dagbag import DagBag
home, root = os.environ["CHISO_HOME"], sys.argv[1]
environment, seen = dict(os.environ), []

def record(event, args):
    if event in ("sqlite3.connect", "socket.connect", "os.putenv", "os.unsetenv"):
        seen.append([event, str(args[0])])
    elif event in ("open", "os.mkdir", "os.rename", "os.remove") and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        source = path.endswith((".py", ".pyc")) or "__pycache__" in path
        if path.startswith(home) or (path.startswith(root) and not source):
            seen.append([event, os.path.relpath(path, root)])

sys.addaudithook(record)
bag = DagBag(dag_folder=os.path.join(root, "dags"))
libraries = ("pandas", "great_expectations", "duckdb", "openpyxl", "fastapi", "openlineage",
             "airflow.providers.openlineage.plugins")
heavy = sorted(m for m in libraries if m in sys.modules)
changed = sorted(k for k in os.environ.keys() | environment.keys() if os.environ.get(k) != environment.get(k))
print(json.dumps({"errors": list(bag.import_errors), "dags": sorted(bag.dag_ids), "heavy": heavy,
                  "seen": sorted(set(map(tuple, seen))), "environment": changed, "home": os.listdir(home)}))
"""


def test_parsing_the_dags_loads_no_heavy_library_and_leaves_nothing_behind(tmp_path):
    """An empty CHISO_HOME stays empty; the one file read is the catalog's plan (the province's time
    zone); no database, no socket, no environment variable written, even with SMTP configured."""
    (tmp_path / "home").mkdir()
    env = {
        **os.environ,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "CHISO_HOME": str(tmp_path / "home"),
        "CHISO_SMTP_URL": "smtp://127.0.0.1:2525",
    }
    command = [sys.executable, "-W", "ignore", "-c", PARSE_PROBE, str(PROJECT_ROOT)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    parsed = json.loads(out.strip().splitlines()[-1])
    assert parsed["errors"] == [] and parsed["dags"] == ["chiso_ingest", "chiso_monitoring", "chiso_reminders"]
    assert parsed["heavy"] == []
    assert parsed["home"] == []
    assert parsed["environment"] == []
    assert parsed["seen"] == [["open", "catalog/plan.csv"]]


@pytest.fixture(scope="module")
def dags(airflow_env) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag.dags


def test_every_dag_starts_in_the_provinces_time(dags, catalog):
    for dag in dags.values():
        assert dag.start_date.utcoffset() is not None, dag.dag_id
        assert dag.timezone.name == catalog.plan["timezone"], dag.dag_id


def test_every_task_follows_the_retry_policy_and_alerts_the_engineers(dags):
    from chiso.airflow_glue.tasks import alert_engineers, retry_policy

    policy = retry_policy(print).__code__
    for dag in dags.values():
        for task in dag.tasks:
            assert task.python_callable.__code__ is policy, f"{dag.dag_id}.{task.task_id}"
            assert alert_engineers in _as_list(task.on_failure_callback), f"{dag.dag_id}.{task.task_id}"


def _as_list(callbacks) -> list:
    return callbacks if isinstance(callbacks, list) else [callbacks]


def test_both_dags_that_tell_people_share_one_notice_group(dags):
    def notice_group(dag) -> dict:
        group = dag.task_group_dict["notices"]
        return {t.task_id: (t.pool, t.retries > 0, sorted(t.downstream_task_ids)) for t in group.children.values()}

    expected = {
        "claim_notices": (WAREHOUSE_POOL, True, ["deliver_notices"]),
        "deliver_notices": ("default_pool", False, ["record_notices"]),
        "record_notices": (WAREHOUSE_POOL, True, []),
    }
    assert notice_group(dags["chiso_ingest"]) == notice_group(dags["chiso_reminders"]) == expected
    assert dags["chiso_ingest"].task_dict["publish"].downstream_task_ids == {"claim_notices"}


def test_the_portals_approval_requests_are_taken_by_the_writer_before_the_publish(dags):
    dag = dags["chiso_ingest"]
    take = dag.task_dict["take_approvals"]
    assert take.pool == WAREHOUSE_POOL and take.downstream_task_ids == {"publish"}
    assert dag.task_dict["publish"].upstream_task_ids == {"ingest_chunk", "take_approvals"}


def test_a_terminal_error_fails_at_once_and_a_busy_writer_is_retried():
    from airflow.sdk.exceptions import AirflowFailException

    from chiso.airflow_glue.tasks import retry_policy
    from core.catalog import CatalogError
    from core.settings import SettingError
    from warehouse.db import NotAWarehouse
    from warehouse.lock import WarehouseBusy

    def raising(error: Exception):
        def task():
            raise error

        return retry_policy(task)

    for terminal in (CatalogError("contacts.csv lacks the column(s) role"), SettingError("x"), NotAWarehouse("y")):
        with pytest.raises(AirflowFailException, match=type(terminal).__name__) as caught:
            raising(terminal)()
        assert caught.value.__cause__ is terminal
    with pytest.raises(WarehouseBusy):
        raising(WarehouseBusy("another ingest still holds the lock"))()
    assert retry_policy(lambda: 7)() == 7


def test_an_injected_fault_is_retried_and_a_catalog_error_fails_without_retry(chiso_home, monkeypatch):
    """Real runs: a fault in publish (an error that is not terminal) is retried and the run succeeds;
    then, with a catalog that lacks contacts.csv, claim_notices fails on its first try though it has a retry."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    def tries(run, task_id: str) -> tuple[str, int]:
        with create_session() as session:
            ti = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id).one()
            return ti.state, ti.try_number

    def without_retry_delay(dag):
        for task in dag.tasks:
            task.retry_delay = timedelta(0)
        return dag

    monkeypatch.setenv("CHISO_FAULT", "publish.copied:1:raise")
    retried = without_retry_delay(load_dag("chiso_ingest")).test(run_conf={"as_of": "2018-01-01"})
    assert retried.state == "success"
    assert tries(retried, "publish") == ("success", 2)

    monkeypatch.delenv("CHISO_FAULT")
    broken = chiso_home / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", broken)
    (broken / "contacts.csv").unlink()
    monkeypatch.setenv("CHISO_CATALOG_DIR", str(broken))
    failed = without_retry_delay(load_dag("chiso_reminders")).test(run_conf={"as_of": "2017-07-07"})
    assert failed.state == "failed"
    assert tries(failed, "claim_notices") == ("failed", 1)


def test_ingest_dag_run_gives_verdicts_moves_files_publishes_and_updates_asset(chiso_home):
    expected = small_inbox(chiso_home / "inbox")
    run = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert run.state == "success"
    assert statuses(chiso_home) == expected
    assert list((chiso_home / "inbox").iterdir()) == []
    archived = sorted(p.name.split("_", 1)[1] for p in (chiso_home / "archive").rglob("*") if p.is_file())
    quarantined = sorted(p.name.split("_", 1)[1] for p in (chiso_home / "quarantine").rglob("*") if p.is_file())
    receipts = [name for name in archived + quarantined if name.endswith(".receipt.json")]  # one beside each file
    assert sorted(receipts) == sorted(f"{name}.receipt.json" for name in expected)
    assert [name for name in archived if name not in receipts] == ["district.xlsx", "ok again.csv", "ok.csv"]
    assert [name for name in quarantined if name not in receipts] == [
        "bad.csv",
        "bad.csv.reasons.txt",
        "scan.pdf",
        "scan.pdf.reasons.txt",
    ]
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

    chunk_events_name_the_files_verdicts_and_tables(chiso_home, expected)

    second = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert second.state == "success"
    assert statuses(chiso_home) == expected  # nothing new, nothing changed


def openlineage_events() -> list[dict]:
    """The OpenLineage events written so far by this session's Airflow (its default file transport)."""
    events = Path(os.environ["AIRFLOW_HOME"]) / "openlineage.jsonl"
    return [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]


def chunk_events_name_the_files_verdicts_and_tables(home: Path, expected: dict[str, str]) -> None:
    """The ingest chunk's task started and completed; its COMPLETE event's inputs are the chunk's files,
    each with its verdict and failed rules as a data-quality facet, its outputs the warehouse tables."""
    events = [e for e in openlineage_events() if e["job"]["name"] == "chiso_ingest.ingest_chunk"]
    ours = [e for e in events if e["eventType"] == "COMPLETE" and str(home) in json.dumps(e["inputs"])]
    assert ours and all(e["job"]["namespace"] == "chiso" for e in ours)
    assert {e["run"]["runId"] for e in ours} <= {e["run"]["runId"] for e in events if e["eventType"] == "START"}
    inputs = {Path(i["name"]).name: i for e in ours for i in e["inputs"]}
    assert {i["namespace"] for i in inputs.values()} == {"file"}
    assert {name: str(home / "inbox" / name) for name in expected} == {n: i["name"] for n, i in inputs.items()}

    def assertions(name: str) -> list[dict]:
        return inputs[name]["inputFacets"]["dataQualityAssertions"]["assertions"]

    verdicts = {name: assertions(name)[0] for name in inputs}
    assert {name: v["actual"] for name, v in verdicts.items()} == expected
    assert {name: v["success"] for name, v in verdicts.items()} == {n: s != "rejected" for n, s in expected.items()}
    failed = {(a["assertion"], a["severity"], a["success"]) for a in assertions("bad.csv")[1:]}
    assert ("negative_value", "error", False) in failed
    assert [a["assertion"] for a in assertions("scan.pdf")[1:]] == ["unreadable"]
    assert assertions("ok.csv")[1:] == []  # accepted without a finding
    warehouse = f"duckdb://{(home / 'warehouse' / 'chiso.duckdb').resolve()}"
    for event in ours:
        assert [(o["namespace"], o["name"]) for o in event["outputs"]] == [
            (warehouse, "main.submission_records"),
            (warehouse, "main.findings"),
            (warehouse, "main.indicator_facts"),
        ]


def test_openlineage_defaults_to_a_file_and_yields_to_the_engineers_own_backend(tmp_path):
    from chiso.airflow_glue.lineage import default_environment

    fresh = default_environment(tmp_path, {})
    assert json.loads(fresh["AIRFLOW__OPENLINEAGE__TRANSPORT"]) == {
        "type": "file",
        "log_file_path": str(tmp_path / "openlineage.jsonl"),
        "append": True,
    }
    assert fresh["AIRFLOW__OPENLINEAGE__NAMESPACE"] == "chiso"
    for own in (
        {"OPENLINEAGE_URL": "http://marquez:5000"},
        {"AIRFLOW__OPENLINEAGE__TRANSPORT": '{"type": "console"}'},
        {"OPENLINEAGE__TRANSPORT__TYPE": "console"},
        {"AIRFLOW__OPENLINEAGE__CONFIG_PATH": "/etc/openlineage.yml"},
        {"AIRFLOW__OPENLINEAGE__DISABLED": "true"},
    ):
        assert "AIRFLOW__OPENLINEAGE__TRANSPORT" not in default_environment(tmp_path, own), own
    assert "AIRFLOW__OPENLINEAGE__NAMESPACE" not in default_environment(tmp_path, {"OPENLINEAGE_NAMESPACE": "p"})


def test_monitoring_dag_writes_completeness_and_keeps_the_publications_report(chiso_home):
    small_inbox(chiso_home / "inbox")
    ingest = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert ingest.state == "success"
    assert load_dag("chiso_monitoring").test().state == "success"
    completeness = (chiso_home / "reports" / "completeness.csv").read_text(encoding="utf-8")
    assert "DP-SN,SKHCN," in completeness and "on_time" in completeness
    import duckdb

    with duckdb.connect(str(chiso_home / "warehouse" / "snapshot" / "chiso.duckdb"), read_only=True) as db:
        published = db.execute("select publication_no, cause, run_id from publications").fetchall()
    assert published == [(1, "dag", ingest.run_id)]  # the DAG run that published it
    assert (chiso_home / "publications" / "1" / "report.html").is_file()


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


def smtp_for_dags(monkeypatch, url: str) -> None:
    """The DAGs' notices and alerts go to `url` (the connection the DAG files would export, made here
    so that the test's environment is restored afterwards)."""
    from chiso.airflow_glue.alerts import CONNECTION_VARIABLE, airflow_connection  # after airflow_db set AIRFLOW_HOME

    monkeypatch.setenv("CHISO_SMTP_URL", url)
    monkeypatch.setenv(CONNECTION_VARIABLE, airflow_connection(url, load_settings().smtp_from))


def sent_units(server: MailServer) -> list[str]:
    return sorted(message["X-Chiso-Unit"] for message in server.messages)


def test_ingest_dag_tells_each_unit_once_after_publishing(chiso_home, mail_server, monkeypatch):
    smtp_for_dags(monkeypatch, mail_server.url)
    small_inbox(chiso_home / "inbox")
    run = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert run.state == "success"
    assert sent_units(mail_server) == ["08", "SYT"]  # bad.csv is SYT's; scan.pdf's sender unknown: the province (08)
    syt = next(m for m in mail_server.messages if m["X-Chiso-Unit"] == "SYT")
    assert "bad.csv" in syt.get_body(("plain",)).get_content() and syt["Subject"] == "Sở Y tế: 1 tệp bị từ chối"

    write(chiso_home / "inbox" / "late.csv", csv_bytes(department_report("STC")), received="2017-07-20 09:00")
    assert load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"}).state == "success"
    assert sent_units(mail_server) == ["08", "STC", "SYT"]  # the second run tells only what it brought


def test_ingest_dag_succeeds_with_the_mail_server_down_and_the_next_run_sends(chiso_home, monkeypatch):
    port = free_port()
    smtp_for_dags(monkeypatch, f"smtp://127.0.0.1:{port}?timeout=2")
    small_inbox(chiso_home / "inbox")
    down = load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"})
    assert down.state == "success"  # the ingest is done; the notices wait
    assert statuses(chiso_home)["bad.csv"] == "rejected"

    server = MailServer(port).start()
    try:
        assert load_dag("chiso_ingest").test(run_conf={"as_of": "2018-01-01"}).state == "success"
    finally:
        server.stop()
    assert sent_units(server) == ["08", "SYT"]


def test_reminders_dag_reminds_the_units_and_sends_the_digest(chiso_home, mail_server, monkeypatch):
    smtp_for_dags(monkeypatch, mail_server.url)
    write(chiso_home / "inbox" / "ok.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    assert load_dag("chiso_ingest").test(run_conf={"as_of": "2017-07-06"}).state == "success"
    run = load_dag("chiso_reminders").test(run_conf={"as_of": "2017-07-07"})
    assert run.state == "success"
    subjects = {message["X-Chiso-Unit"]: message["Subject"] for message in mail_server.messages}
    assert subjects["08"].startswith("Tổng hợp tuần 2017-W27")  # the province of the plan in force
    assert "1 báo cáo sắp đến hạn" in subjects["SYT"] and "sắp đến hạn" not in subjects["SKHCN"]  # SKHCN sent it
    assert load_dag("chiso_reminders").test(run_conf={"as_of": "2017-07-07"}).state == "success"
    assert len(mail_server.messages) == len(subjects)  # the same day again: nothing twice


def test_a_failed_task_emails_the_engineers_with_its_log_link(chiso_home, mail_server, monkeypatch):
    smtp_for_dags(monkeypatch, mail_server.url)
    (chiso_home / "warehouse" / "chiso.duckdb").mkdir(parents=True)  # a folder where the warehouse should be
    dag = load_dag("chiso_reminders")
    for task in dag.tasks:
        task.retries = 0
    run = dag.test(run_conf={"as_of": "2017-07-07"})
    assert run.state == "failed"
    [alert] = mail_server.messages
    assert alert["To"].addresses[0].addr_spec == "kythuat.dulieu@skhcn.hagiang.example"
    assert alert["Subject"] == (
        "chiso: tác vụ claim_notices của chiso_reminders bị lỗi / chiso: task claim_notices of chiso_reminders failed"
    )
    body = alert.get_body(("html",)).get_content()
    assert "/dags/chiso_reminders/runs/" in body and "/tasks/claim_notices" in body
