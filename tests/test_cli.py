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
    assert result.stdout.strip() == f"wrote 521 demo files to {tmp_path / 'inbox'}"
    assert len(list((tmp_path / "inbox").iterdir())) == 521


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
