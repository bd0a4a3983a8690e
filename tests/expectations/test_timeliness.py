"""Timeliness belongs to the slot (data set × unit × period): its first accepted report is on time
or late; a later accepted file for it is a correction, never late, and the province sees it."""

from __future__ import annotations

from datetime import date

import pytest

from builders import csv_bytes, department_report, write
from chiso.checker import check_file
from chiso.context import RunContext

DUE = "2017-07-10"  # DP-SN 2017Q2: ten days after the quarter


def warnings_of(query, name):
    return query("select warning from submission_warnings where file_name = ? order by warning", [name])


def corrected() -> bytes:
    return csv_bytes(department_report().setting("TT_TIN", 41))


@pytest.mark.parametrize("together", [False, True], ids=["two runs", "one chunk"])
def test_a_correction_after_the_due_date_is_not_late(tmp_path, ingest, query, together):
    first = write(tmp_path / "in" / "SKHCN_2017Q2.csv", csv_bytes(department_report()), received="2017-07-05 09:00")
    second = write(tmp_path / "in" / "SKHCN_2017Q2_bosung.csv", corrected(), received="2017-08-01 09:00")
    verdicts = ingest(tmp_path / "in") if together else {**ingest(first), **ingest(second)}
    fix = verdicts["SKHCN_2017Q2_bosung.csv"]
    assert fix.status == "accepted" and [w.check for w in fix.warnings] == ["correction"]
    assert "2017-07-05" in fix.warnings[0].en and "2017-08-01" in fix.warnings[0].en
    assert warnings_of(query, "SKHCN_2017Q2.csv") == []
    assert warnings_of(query, "SKHCN_2017Q2_bosung.csv") == [("correction",)]
    assert query(
        "select status, corrections, cast(last_corrected_at as date) from completeness"
        " where dataset_code = 'DP-SN' and unit_code = 'SKHCN' and period = '2017Q2'"
    ) == [("on_time", 1, date(2017, 8, 1))]
    # nothing of this slot was late
    assert query("select count(*) from findings where check_name = 'late'") == [(0,)]


def test_a_late_slot_is_late_once_however_often_it_is_corrected(tmp_path, ingest, query):
    write(tmp_path / "in" / "a.csv", csv_bytes(department_report()), received="2017-07-20 09:00")
    write(tmp_path / "in" / "b.csv", corrected(), received="2017-07-25 09:00")
    write(tmp_path / "in" / "c.csv", csv_bytes(department_report().setting("TT_TIN", 42)), received="2017-08-25 09:00")
    ingest(tmp_path / "in")
    assert [warnings_of(query, name) for name in ("a.csv", "b.csv", "c.csv")] == [
        [("late",)],
        [("correction",)],
        [("correction",)],
    ]
    assert query("select status, corrections from completeness where unit_code = 'SKHCN' and period = '2017Q2'") == [
        ("late", 2)
    ]


def test_a_refused_file_does_not_make_the_slot_on_time(tmp_path, ingest, query):
    """Only an accepted file counts: the first accepted one, after the due date, is late (no correction)."""
    write(tmp_path / "in" / "bad.csv", csv_bytes(department_report().setting("TT_TIN", -2)), received="2017-07-05")
    write(tmp_path / "in" / "good.csv", csv_bytes(department_report()), received="2017-07-15 09:00")
    verdicts = ingest(tmp_path / "in")
    assert verdicts["bad.csv"].status == "rejected"
    assert [w.check for w in verdicts["good.csv"].warnings] == ["late"]
    assert query("select status, corrections from completeness where unit_code = 'SKHCN' and period = '2017Q2'") == [
        ("late", 0)
    ]


def test_checking_a_correction_against_the_warehouse_says_correction_not_late(tmp_path, ingest, settings):
    ingest(write(tmp_path / "SKHCN_2017Q2.csv", csv_bytes(department_report()), received="2017-07-05 09:00"))
    fix = write(tmp_path / "check" / "SKHCN_2017Q2 (sua lai).csv", corrected(), received="2017-08-01 09:00")
    verdict = check_file(fix, RunContext.of(settings), warehouse=settings.warehouse)
    assert verdict.status == "accepted" and [w.check for w in verdict.warnings] == ["correction"]
    # with no warehouse, the same file is the slot's first report, and late
    alone = check_file(fix, RunContext.of(settings), warehouse=tmp_path / "none.duckdb")
    assert [w.check for w in alone.warnings] == ["late"]
