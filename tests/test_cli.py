"""The `chiso` command as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import csv_bytes, department_report, write

CHISO = str(Path(sys.executable).parent / "chiso")


def run(*args, home: Path, check_exit: int | None = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHISO_HOME": str(home)}
    result = subprocess.run([CHISO, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    if check_exit is not None:
        assert result.returncode == check_exit, result.stderr
    return result


def test_help_lists_every_command_with_examples(tmp_path):
    out = run("--help", home=tmp_path).stdout
    for command in ("ingest", "validate", "query", "inbox", "demo-data"):
        assert command in out
    assert "examples:" in out
    assert "examples:" in run("ingest", "--help", home=tmp_path).stdout


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from chiso import cli; heavy = ('pandas', 'great_expectations', 'duckdb', 'airflow'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli")
    inbox = home / "files"
    write(inbox / "ok.csv", csv_bytes(department_report()), received="2017-07-05 08:00")
    write(
        inbox / "bad.csv", csv_bytes(department_report("SYT").setting("NV_CUTHE", "mười")), received="2017-07-05 09:00"
    )
    write(inbox / "scan.pdf", b"%PDF", received="2017-07-05 10:00")
    warehouse = home / "wh.duckdb"
    result = run("ingest", inbox, "--warehouse", warehouse, "--as-of", "2018-01-01", home=home)
    return home, inbox, warehouse, result


def test_ingest_prints_a_line_per_file_and_totals(ingested):
    _, _, _, result = ingested
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["accepted", "ok.csv"]
    assert lines[1].split()[:2] == ["rejected", "bad.csv"] and "[6]" in lines[1] and "mười" in lines[1]
    assert lines[2].split()[:2] == ["rejected", "scan.pdf"]
    assert lines[-1] == "3 files: 1 accepted, 2 rejected, 0 duplicate, 0 superseded"


def test_query_prints_a_table_read_only(ingested):
    home, _, warehouse, _ = ingested
    out = run(
        "query",
        "select unit_code, value from indicator_values where indicator_code = 'KP_BOTRI'",
        "--warehouse",
        warehouse,
        home=home,
    ).stdout
    assert "SKHCN" in out and "1250.5" in out
    refused = run("query", "delete from submission_records", "--warehouse", warehouse, home=home, check_exit=2)
    assert "read-only" in refused.stderr


def test_validate_prints_bilingual_report_and_exits_1_on_rejection(ingested):
    home, inbox, _, _ = ingested
    rejected = run("validate", inbox / "bad.csv", "--as-of", "2018-01-01", home=home, check_exit=1).stdout
    assert "BỊ TỪ CHỐI / REJECTED" in rejected and "Dòng 4" in rejected and "Row 4" in rejected
    accepted = run("validate", inbox / "ok.csv", "--as-of", "2018-01-01", home=home, check_exit=0).stdout
    assert "ĐƯỢC CHẤP NHẬN / ACCEPTED" in accepted


def test_clear_errors_for_user_mistakes(tmp_path):
    missing = run("ingest", tmp_path / "nowhere", "--warehouse", tmp_path / "w.duckdb", home=tmp_path, check_exit=2)
    assert "no such file or folder" in missing.stderr
    bad_date = run("validate", "x.csv", "--as-of", "15/07/2017", home=tmp_path, check_exit=2)
    assert "YYYY-MM-DD" in bad_date.stderr
    no_warehouse = run("query", "select 1", home=tmp_path, check_exit=2)
    assert "no warehouse" in no_warehouse.stderr


def test_demo_data_writes_the_demo_inbox(tmp_path):
    result = run("demo-data", tmp_path / "inbox", "--seed", "2017", home=tmp_path)
    assert result.stdout.strip() == f"wrote 1570 demo files to {tmp_path / 'inbox'}"
    assert len(list((tmp_path / "inbox").iterdir())) == 1570


def test_demo_data_says_the_demo_ships_with_the_checkout(tmp_path, monkeypatch, capsys):
    """An installed chiso has no `demo` package: the command says so instead of a traceback."""
    from chiso.cli import main

    monkeypatch.setitem(sys.modules, "demo", None)  # as if not installed
    assert main(["demo-data", str(tmp_path / "inbox")]) == 2
    assert "source checkout" in capsys.readouterr().err
    assert not (tmp_path / "inbox").exists()


def test_template_writes_one_units_workbook_or_every_units(tmp_path):
    from transforms.template.stamp import read_stamp

    one = run("template", "DP-HUYEN", "--unit", "26", "--period", "2017Q3", "-o", tmp_path, home=tmp_path)
    written = tmp_path / "DP-HUYEN_026_2017Q3.xlsx"
    assert str(written) in one.stdout and read_stamp(written.read_bytes())["version"] == "1"
    every = run("template", "DP-SN", "--period", "2017Q3", "--all", "-o", tmp_path / "all", home=tmp_path)
    assert "12 template(s) for DP-SN 2017Q3" in every.stdout
    assert sorted(p.name for p in (tmp_path / "all").iterdir())[0] == "DP-SN_SCT_2017Q3.xlsx"
    wrong = run("template", "DP-SN", "--unit", "026", "--period", "2017Q3", home=tmp_path, check_exit=2)
    assert "026 is a district; DP-SN is sent by department units" in wrong.stderr
    no_unit = run("template", "DP-SN", "--period", "2017Q3", home=tmp_path, check_exit=2)
    assert "--unit" in no_unit.stderr and "--all" in no_unit.stderr


# --- the analysts' sandbox: limits, the loader's file, and failures said in one line ----------------------------


def _tiny_warehouse(path: Path) -> Path:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as db:
        db.execute("create table t as select range as n from range(10)")
    return path


def run_env(*args, home: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CHISO_HOME": str(home), **env}
    return subprocess.run([CHISO, *map(str, args)], capture_output=True, text=True, env=environment, timeout=120)


def test_query_is_stopped_by_the_time_limit(tmp_path):
    import time

    warehouse = _tiny_warehouse(tmp_path / "scratch.duckdb")
    started = time.monotonic()
    done = run_env(
        "query",
        "select count(*) from range(1000000000000)",
        "--warehouse",
        warehouse,
        home=tmp_path,
        CHISO_QUERY_SECONDS="2",
    )
    assert done.returncode == 1, done.stderr
    assert 2 <= time.monotonic() - started < 30
    assert done.stderr.startswith("chiso: error: the query ran past CHISO_QUERY_SECONDS (2 s) and was stopped")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_query_is_stopped_by_the_memory_limit_and_cannot_lift_it(tmp_path):
    warehouse = _tiny_warehouse(tmp_path / "scratch.duckdb")
    hungry = "select max(len(l)) from (select list(range) as l from range(500000000))"
    done = run_env("query", hungry, "--warehouse", warehouse, home=tmp_path, CHISO_QUERY_MEMORY="200MB")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("chiso: error: the query needed more memory than CHISO_QUERY_MEMORY (200MB)")
    for lift in ("set memory_limit='100GB'", "set threads=64", "set temp_directory='/tmp/spill'"):
        refused = run_env("query", lift, "--warehouse", warehouse, home=tmp_path)
        assert refused.returncode == 2 and "cannot reach other files nor change its limits" in refused.stderr
    bad = run_env("query", "select 1", "--warehouse", warehouse, home=tmp_path, CHISO_QUERY_MEMORY="lots")
    assert bad.returncode == 2 and "CHISO_QUERY_MEMORY must be a size such as 500MB or 2GB" in bad.stderr


def test_query_fetches_and_prints_at_most_max_rows_and_says_so(tmp_path):
    warehouse = _tiny_warehouse(tmp_path / "scratch.duckdb")
    cut = run_env("query", "select * from range(100000000)", "--warehouse", warehouse, "--max-rows", "5", home=tmp_path)
    assert cut.returncode == 0, cut.stderr
    assert "│     4 │" in cut.stdout and "│     5 │" not in cut.stdout
    assert "only the first 5 rows are shown; the result has more" in cut.stderr
    whole = run_env("query", "select * from t", "--warehouse", warehouse, "--max-rows", "10", home=tmp_path)
    assert "│     9 │" in whole.stdout and whole.stderr == ""


def test_query_never_opens_the_loaders_file_and_never_blocks_the_loader(tmp_path):
    """The loader's live file is refused (a query would hold its lock); the snapshot is free to query while
    the loader opens its file and publishes."""
    import time

    import duckdb

    from warehouse.snapshot import publish

    warehouse = _tiny_warehouse(tmp_path / "warehouse" / "chiso.duckdb")
    snapshot = publish(warehouse, tmp_path / "warehouse" / "snapshot" / "chiso.duckdb")
    (tmp_path / "alias.duckdb").symlink_to(warehouse)
    for given in (warehouse, tmp_path / "warehouse" / ".." / "warehouse" / "chiso.duckdb", tmp_path / "alias.duckdb"):
        refused = run_env("query", "select count(*) from t", "--warehouse", given, home=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert "is the loader's live warehouse (CHISO_WAREHOUSE)" in refused.stderr
        assert str(snapshot) in refused.stderr
    environment = {**os.environ, "CHISO_HOME": str(tmp_path), "CHISO_QUERY_SECONDS": "6"}
    long_query = subprocess.Popen(
        [CHISO, "query", "select count(*) from range(1000000000000)"], env=environment, stderr=subprocess.PIPE
    )
    try:
        time.sleep(2)  # the query holds the snapshot open
        assert long_query.poll() is None
        with duckdb.connect(str(warehouse)) as loader:  # the loader writes meanwhile
            loader.execute("insert into t values (10)")
        publish(warehouse, snapshot)
    finally:
        long_query.wait(timeout=60)
    assert long_query.returncode == 1 and b"CHISO_QUERY_SECONDS (6 s)" in long_query.stderr.read()
    assert "11" in run_env("query", "select count(*) from t", home=tmp_path).stdout


def _one_line_error(done: subprocess.CompletedProcess, exit_status: int = 1) -> str:
    assert done.returncode == exit_status, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("chiso: error: ")
    return done.stderr


def test_a_foreign_damaged_or_locked_file_is_one_line_not_a_traceback(tmp_path):
    import sqlite3

    good = _tiny_warehouse(tmp_path / "good.duckdb")
    (tmp_path / "notes.duckdb").write_text("not a database\n" * 100)
    (tmp_path / "empty.duckdb").write_bytes(b"")
    sqlite3.connect(tmp_path / "accounts.duckdb").execute("create table t (a)").connection.commit()
    data = good.read_bytes()
    (tmp_path / "truncated.duckdb").write_bytes(data[:5000])
    garbled = bytearray(data)
    garbled[8192:] = bytes((b * 7 + 3) % 256 for b in garbled[8192:])
    (tmp_path / "garbled.duckdb").write_bytes(bytes(garbled))
    expected = {
        "notes.duckdb": "is not a DuckDB database",
        "empty.duckdb": "is an empty file",
        "accounts.duckdb": "is not a DuckDB database",
        "truncated.duckdb": "is damaged",
        "garbled.duckdb": "is damaged",
    }
    for name, words in expected.items():
        for command in (["query", "select count(*) from t"], ["export", "t", "--format", "csv"], ["report"]):
            done = run_env(*command, "--warehouse", tmp_path / name, home=tmp_path)
            line = _one_line_error(done)
            assert name in line and words in line, (command, line)
    debug = run_env("--debug", "query", "select 1", "--warehouse", tmp_path / "notes.duckdb", home=tmp_path)
    assert "Traceback" in debug.stderr and debug.stderr.rstrip().splitlines()[-1].startswith("chiso: error:")
    debug = run_env("query", "select 1", "--warehouse", tmp_path / "notes.duckdb", home=tmp_path, CHISO_DEBUG="1")
    assert "Traceback" in debug.stderr

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; db = duckdb.connect({str(good)!r}); print('ok', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        line = _one_line_error(run_env("query", "select 1", "--warehouse", good, home=tmp_path))
        assert f"is in use by another process (pid {holder.pid}" in line and "wait for it to finish" in line
    finally:
        holder.communicate("", timeout=30)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(28, "No space left on device", "/data/reports/report.html"), "the disk is full (writing /data/"),
        (OSError(30, "Read-only file system", "/data/reports/report.html"), "a read-only file, folder or disk"),
        (PermissionError(13, "Permission denied", "/data/reports"), "/data/reports: Permission denied"),
        (FileNotFoundError(2, "No such file or directory", "/data/x"), "no such file or folder: /data/x"),
    ],
    ids=["full-disk", "read-only-disk", "read-only-folder", "missing"],
)
def test_the_disk_and_the_folders_failures_are_one_line(error, words, tmp_path, monkeypatch, capsys):
    """Injected where the report is written: a full disk, a read-only one, a folder chiso may not write."""
    import chiso.commands.report
    from chiso.cli import main

    def fails(*args, **kwargs):
        raise error

    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    monkeypatch.delenv("CHISO_DEBUG", raising=False)
    monkeypatch.setattr(chiso.commands.report, "build_report", fails)
    assert main(["report"]) == (2 if isinstance(error, FileNotFoundError) else 1)
    err = capsys.readouterr().err
    assert err.startswith("chiso: error: ") and words in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_duckdbs_own_disk_and_permission_errors_are_one_line(tmp_path, monkeypatch, capsys):
    import duckdb

    import chiso.outputs.views
    from chiso.cli import main

    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    for text, words in [
        ('IO Error: Could not write file "/data/wh.duckdb.wal": No space left on device', "the disk is full"),
        ('IO Error: Cannot open file "/data/wh.duckdb": Permission denied', "/data/wh.duckdb: permission denied"),
    ]:

        def fails(*args, text=text, **kwargs):
            raise duckdb.IOException(text)

        monkeypatch.setattr(chiso.outputs.views, "export", fails)  # the writer of --format csv
        assert main(["export", "t", "--format", "csv"]) == 1
        err = capsys.readouterr().err
        assert words in err and len(err.splitlines()) == 1
