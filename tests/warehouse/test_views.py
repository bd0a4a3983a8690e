"""The analysts' views: time aggregation, scopes, derived indicators, targets, completeness."""

from __future__ import annotations

from datetime import date

import pytest

from builders import csv_bytes, department_report, district_report, survey_report, write
from chiso.context import RunContext


@pytest.fixture
def loaded(tmp_path, ingest, query):
    """SKHCN reports 2017Q1 and Q2; SYT only Q1; district 026 reports Q1; one survey for 2017."""
    files = {
        "skhcn_q1.csv": department_report("SKHCN", "2017Q1").setting("TT_TIN", 5).setting("DVC_TRUCTUYEN_TYLE", 40),
        "skhcn_q2.csv": department_report("SKHCN", "2017Q2")
        .setting("TT_TIN", 7)
        .setting("NV_GIAO", 4)
        .setting("DVC_TRUCTUYEN_TYLE", 50),
        "syt_q1.csv": department_report("SYT", "2017Q1").setting("TT_TIN", 1).setting("DVC_TRUCTUYEN_TYLE", 20),
        "d026_q1.csv": district_report("026", "2017Q1"),
        "survey.csv": survey_report("026", "2017"),
    }
    for day, (name, report) in enumerate(files.items(), start=1):
        write(tmp_path / "in" / name, csv_bytes(report), received=f"2017-04-0{day} 09:00")
    ingest(tmp_path / "in", as_of=date(2018, 3, 1))
    return query


def rollup(query, period, scope, indicator, disaggregation=""):
    return query(
        "select numerator, denominator, value from indicator_rollup"
        " where period = ? and scope = ? and indicator_code = ? and disaggregation = ?",
        [period, scope, indicator, disaggregation],
    )


def test_a_year_takes_the_latest_quarter_of_a_stock_and_sums_a_flow(loaded):
    # NV_GIAO (last): SKHCN's 2017 is its Q2 (4), SYT's its Q1 (3): 7; never 3 + 4 + 3
    assert rollup(loaded, "2017", "department", "NV_GIAO") == [(None, None, 7.0)]
    # TT_TIN (sum): SKHCN 5 + 7, SYT 1
    assert rollup(loaded, "2017", "department", "TT_TIN") == [(None, None, 13.0)]
    assert rollup(loaded, "2017Q1", "department", "TT_TIN") == [(None, None, 6.0)]


def test_a_percentage_is_averaged_across_units_without_weights(loaded):
    assert rollup(loaded, "2017Q1", "department", "DVC_TRUCTUYEN_TYLE") == [(None, None, 30.0)]


def test_derived_indicators_divide_summed_parts_and_the_province_adds_scopes(loaded):
    # NV_TRIENKHAI / NV_GIAO in 2017Q1: SKHCN 2/3, SYT 2/3, district 026 1/1
    assert rollup(loaded, "2017Q1", "department", "NV_TYLE_TRIENKHAI") == [(4.0, 6.0, pytest.approx(66.6667, 1e-4))]
    assert rollup(loaded, "2017Q1", "province", "NV_TYLE_TRIENKHAI") == [(5.0, 7.0, pytest.approx(71.4286, 1e-4))]
    assert rollup(loaded, "2017", "district", "CNTT_TYLE", "BENHVIEN") == [(5.0, 5.0, 100.0)]


def test_the_stored_rollup_equals_the_live_one(loaded):
    differences = loaded(
        "(select * from indicator_rollup except all select * from indicator_rollup_live)"
        " union all (select * from indicator_rollup_live except all select * from indicator_rollup)"
    )
    assert differences == []
    assert loaded("select count(*) from indicator_rollup")[0][0] > 0


def test_target_progress_compares_with_the_rollup(loaded):
    rows = loaded(
        "select target, actual, achieved from target_progress where indicator_code = 'CNTT_TYLE'"
        " and disaggregation = 'NHAHANG' and year = 2017"
    )
    assert rows == [(60.0, pytest.approx(100 * 20 / 30), True)]


def test_completeness_statuses(loaded):
    rows = dict(loaded("select unit_code, status from completeness where dataset_code = 'DP-SN' and period = '2017Q2'"))
    assert rows["SKHCN"] == "on_time" and rows["SYT"] == "missing"
    assert len(rows) == 12
    rate = loaded(
        "select expected_reports, received_reports from reporting_rates"
        " where dataset_code = 'DP-SN' and period = '2017Q1'"
    )
    assert rate == [(12, 2)]


def test_reports_in_their_grace_days_are_not_due_and_left_out_of_rates(tmp_path, settings, ingest, query):
    """With a plan and units reaching this year and 400 grace days, the last quarters are not due yet."""
    import csv
    import shutil
    from datetime import date

    from builders import PROJECT_ROOT
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    catalog = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", catalog)
    (catalog / "unit_successions.csv").unlink()  # no unit ends here: nothing succeeds them
    for name, column, value in (
        ("plan.csv", "last_year", str(date.today().year)),
        ("units.csv", "valid_to", ""),
        ("datasets.csv", "due_days_after_period_end", "400"),
    ):
        rows = list(csv.DictReader((catalog / name).open(encoding="utf-8")))
        for row in rows[-1:] if name == "plan.csv" else rows:  # the plan in force runs to this year
            row[column] = value
        with (catalog / name).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    ingest_paths([], RunContext.of(load_settings(home=settings.home, catalog_dir=catalog), as_of=date.today()))
    last_quarter = query("select max(period) from completeness where dataset_code = 'DP-SN'")[0][0]
    assert query("select distinct status from completeness where period = ?", [last_quarter]) == [("not_due",)]
    assert query(
        "select reporting_rate, not_yet_due_reports from reporting_rates where dataset_code = 'DP-SN' and period = ?",
        [last_quarter],
    ) == [(None, 21)]  # valid_to blanked: Hà Giang's 12 departments, SNNMT and the new province's 8 (`-TQ`)
    assert query("select distinct status from completeness where period = '2016Q1'") == [("missing",)]
