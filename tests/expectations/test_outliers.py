"""Outlier warnings: a value far from the same unit's own recent history (modified z-score > 3.5)."""

from builders import csv_bytes, department_report, write


def _history(tmp_path, ingest, values):
    for index, (period, tasks) in enumerate(values):
        write(
            tmp_path / f"h{index}.csv",
            csv_bytes(department_report(period=period).setting("NV_CUTHE", tasks)),
            received=f"2018-01-0{index + 1} 09:00",
        )
    return ingest(*sorted(tmp_path.glob("h*.csv")))


def test_value_far_from_own_history_is_flagged_but_loaded(tmp_path, ingest, query):
    _history(tmp_path, ingest, [("2016Q1", 10), ("2016Q2", 11), ("2016Q3", 10), ("2016Q4", 12), ("2017Q1", 11)])
    write(
        tmp_path / "new.csv",
        csv_bytes(department_report(period="2017Q2").setting("NV_CUTHE", 95)),
        received="2018-01-09 09:00",
    )
    verdict = ingest(tmp_path / "new.csv")["new.csv"]
    assert verdict.status == "accepted"
    (warning,) = [w for w in verdict.warnings if w.check == "outlier"]
    assert warning.values == ["95"] and "median 11" in warning.en
    assert query("select warning from submission_warnings where file_name = 'new.csv'") == [("late",), ("outlier",)]


def test_ordinary_values_and_short_histories_are_not_flagged(tmp_path, ingest):
    _history(tmp_path, ingest, [("2016Q1", 10), ("2016Q2", 11), ("2016Q3", 10)])
    write(
        tmp_path / "short.csv",
        csv_bytes(department_report(period="2016Q4").setting("NV_CUTHE", 95)),
        received="2018-01-09 09:00",
    )
    assert not [w for w in ingest(tmp_path / "short.csv")["short.csv"].warnings if w.check == "outlier"]
    write(
        tmp_path / "ok.csv",
        csv_bytes(department_report(period="2017Q1").setting("NV_CUTHE", 12)),
        received="2018-01-09 10:00",
    )
    assert not [w for w in ingest(tmp_path / "ok.csv")["ok.csv"].warnings if w.check == "outlier"]


def test_history_is_the_units_own_and_earlier(tmp_path, ingest):
    """Other units' values, and later periods (a backfill), are not the unit's history."""
    _history(tmp_path, ingest, [("2017Q1", 10), ("2017Q2", 11), ("2017Q3", 10), ("2017Q4", 12)])
    write(
        tmp_path / "other.csv",
        csv_bytes(department_report("SYT", "2018Q1").setting("NV_CUTHE", 95)),
        received="2018-05-01 09:00",
    )
    write(
        tmp_path / "backfill.csv",
        csv_bytes(department_report(period="2016Q4").setting("NV_CUTHE", 95)),
        received="2018-05-01 10:00",
    )
    verdicts = ingest(tmp_path / "other.csv", tmp_path / "backfill.csv", as_of=__import__("datetime").date(2018, 6, 1))
    for name in ("other.csv", "backfill.csv"):
        assert not [w for w in verdicts[name].warnings if w.check == "outlier"]
