"""Verdict semantics in the warehouse: supersession, duplicates, resubmissions, atomicity."""

from __future__ import annotations

import json
import subprocess

import pytest

from builders import csv_bytes, department_report, write, xlsx_bytes
from chiso.context import RunContext
from core.faults import InjectedFault


def test_accepted_values_are_queryable_with_lineage(tmp_path, ingest, query):
    write(tmp_path / "a.csv", csv_bytes(department_report()))
    ingest(tmp_path / "a.csv")
    rows = query(
        "select unit_code, period, indicator_code, disaggregation, value, source_row from indicator_values"
        " where indicator_code = 'KP_BOTRI'"
    )
    assert rows == [("SKHCN", "2017Q2", "KP_BOTRI", "", 1250.5, 6)]
    assert query("select count(*) from indicator_values")[0][0] == len(department_report().rows)


def test_later_file_supersedes_earlier_and_history_keeps_both(tmp_path, ingest, query):
    first = write(tmp_path / "first.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    second = write(
        tmp_path / "second.xlsx", xlsx_bytes(department_report().setting("NV_CUTHE", 11)), received="2017-07-08 10:00"
    )
    verdicts = ingest(first)
    assert verdicts["first.csv"].status == "accepted"
    verdicts = ingest(second)
    assert verdicts["second.xlsx"].status == "accepted"
    assert query("select status, superseded_by from submissions order by submission_id") == [
        ("superseded", 2),
        ("accepted", None),
    ]
    assert query("select value from indicator_values where indicator_code = 'NV_CUTHE'") == [(11.0,)]
    history = query(
        "select value, cast(valid_from as varchar), cast(valid_to as varchar) from indicator_history"
        " where indicator_code = 'NV_CUTHE' order by valid_from"
    )
    assert history == [(10.0, "2017-07-05 09:00:00", "2017-07-08 10:00:00"), (11.0, "2017-07-08 10:00:00", None)]


def test_supersession_follows_receipt_time_even_in_one_batch_or_out_of_order(tmp_path, ingest, query):
    newer = write(
        tmp_path / "b" / "newer.csv",
        csv_bytes(department_report().setting("NV_CUTHE", 12)),
        received="2017-07-09 09:00",
    )
    older = write(tmp_path / "a" / "older.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    ingest(newer)
    verdicts = ingest(older)  # a backfill of an older file arrives after the newer one
    assert verdicts["older.csv"].status == "superseded"
    assert query("select value from indicator_values where indicator_code = 'NV_CUTHE'") == [(12.0,)]


def test_rejected_resubmission_never_displaces_accepted(tmp_path, ingest, query):
    write(tmp_path / "ok.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    write(tmp_path / "bad.csv", csv_bytes(department_report().setting("NV_CUTHE", -1)), received="2017-07-06 09:00")
    verdicts = ingest(tmp_path)
    assert (verdicts["ok.csv"].status, verdicts["bad.csv"].status) == ("accepted", "rejected")
    assert query("select value from indicator_values where indicator_code = 'NV_CUTHE'") == [(10.0,)]
    assert query("select count(*) from indicator_facts")[0][0] == len(department_report().rows)


def test_byte_identical_file_is_duplicate_and_changes_nothing(tmp_path, ingest, query):
    data = csv_bytes(department_report())
    write(tmp_path / "one" / "report.csv", data)
    ingest(tmp_path / "one")
    before = query("select * from indicator_values")
    write(tmp_path / "two" / "report (1).csv", data)
    write(tmp_path / "two" / "report (2).csv", data)
    verdicts = ingest(tmp_path / "two")
    assert {v.status for v in verdicts.values()} == {"duplicate"}
    assert {v.reasons[0].values[0] for v in verdicts.values()} == {"1"}
    assert query("select * from indicator_values") == before


def test_a_rejected_file_sent_again_unchanged_is_judged_again(tmp_path, ingest, query):
    """Too early on 20 September (the quarter had not ended); the same bytes pass in October."""
    from datetime import date

    data = csv_bytes(department_report(period="2017Q3"))
    write(tmp_path / "one" / "q3.csv", data, received="2017-09-20 09:00")
    assert ingest(tmp_path / "one", as_of=date(2017, 9, 20))["q3.csv"].status == "rejected"
    write(tmp_path / "two" / "q3.csv", data, received="2017-10-02 09:00")
    assert ingest(tmp_path / "two", as_of=date(2017, 10, 2))["q3.csv"].status == "accepted"
    assert query("select status from completeness where unit_code = 'SKHCN' and period = '2017Q3'") == [("on_time",)]


def test_same_file_twice_in_one_batch(tmp_path, ingest):
    data = csv_bytes(department_report())
    write(tmp_path / "a.csv", data, received="2017-07-05 09:00")
    write(tmp_path / "a copy.csv", data, received="2017-07-05 10:00")
    verdicts = ingest(tmp_path)
    assert (verdicts["a.csv"].status, verdicts["a copy.csv"].status) == ("accepted", "duplicate")


@pytest.mark.parametrize("point", ["load.submissions_inserted", "load.facts_inserted", "load.before_commit"])
def test_error_mid_load_leaves_no_partial_submission(tmp_path, ingest, query, monkeypatch, point):
    write(tmp_path / "a.csv", csv_bytes(department_report()))
    monkeypatch.setenv("CHISO_FAULT", point)
    with pytest.raises(InjectedFault):
        ingest(tmp_path / "a.csv")
    assert query("select count(*) from submissions")[0][0] == 0
    assert query("select count(*) from indicator_facts")[0][0] == 0
    monkeypatch.delenv("CHISO_FAULT")
    assert ingest(tmp_path / "a.csv")["a.csv"].status == "accepted"


def test_chunks_each_commit_and_ids_follow_processing_order(tmp_path, ingest, query, settings, monkeypatch):
    for index, unit in enumerate(["SKHCN", "SYT", "SCT", "STC", "SXD"]):
        write(
            tmp_path / "in" / f"{unit}.csv", csv_bytes(department_report(unit)), received=f"2017-07-0{index + 1} 09:00"
        )
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    small_chunks = load_settings(home=settings.home, chunk_size=2)
    report = ingest_paths([tmp_path / "in"], RunContext.of(small_chunks))
    assert [v.file_name for v in report.verdicts] == ["SKHCN.csv", "SYT.csv", "SCT.csv", "STC.csv", "SXD.csv"]
    assert query("select submission_id, file_name from submissions order by 1") == [
        (i + 1, v.file_name) for i, v in enumerate(report.verdicts)
    ]


def test_reasons_and_warnings_are_stored_as_json(tmp_path, ingest, query):
    write(tmp_path / "late.csv", csv_bytes(department_report()), received="2017-08-01 09:00")
    write(tmp_path / "bad.csv", csv_bytes(department_report("SYT").setting("TT_TIN", -2)), received="2017-08-01 10:00")
    ingest(tmp_path)
    stored = {
        name: (json.loads(r), json.loads(w))
        for name, r, w in query("select file_name, reasons, warnings from submissions")
    }
    assert stored["late.csv"][0] == [] and [w["check"] for w in stored["late.csv"][1]] == ["late"]
    # a rejected file loads nothing, so it carries reasons but no warnings
    assert [r["rule"] for r in stored["bad.csv"][0]] == ["6"] and stored["bad.csv"][1] == []


def test_duckdb_cli_from_the_lock_opens_the_warehouse(tmp_path, ingest, settings):
    """Analysts' DuckDB CLI (1.5) lags the library: the file must stay readable by it."""
    write(tmp_path / "a.csv", csv_bytes(department_report()))
    ingest(tmp_path / "a.csv")
    import shutil
    import sys
    from pathlib import Path

    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [cli, "-readonly", "-csv", str(settings.warehouse), "-c", "select count(*) from indicator_values"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["count_star()", str(len(department_report().rows))]


def test_a_catalog_that_drops_a_unit_with_history_is_refused(tmp_path, ingest, query, settings):
    import shutil

    from builders import PROJECT_ROOT
    from chiso.pipeline import ingest_paths
    from core.catalog import CatalogError
    from core.settings import load_settings

    write(tmp_path / "in" / "a.csv", csv_bytes(department_report("SYT")))
    ingest(tmp_path / "in")
    catalog = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", catalog)
    (catalog / "unit_successions.csv").unlink()  # SYT's successor row would be refused first
    units = (catalog / "units.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (catalog / "units.csv").write_text("".join(line for line in units if not line.startswith("SYT,")), encoding="utf-8")
    with pytest.raises(CatalogError, match="unit SYT"):
        ingest_paths([], RunContext.of(load_settings(home=settings.home, catalog_dir=catalog)))
    assert query("select count(*) from units where unit_code = 'SYT'") == [(1,)]  # the old catalog stays
    assert query("select count(*) from indicator_values where unit_code = 'SYT'")[0][0] > 0
