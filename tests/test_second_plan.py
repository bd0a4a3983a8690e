"""Another plan, other units, indicators, years and time zone: the whole product runs on its catalog alone.

tests/data/second_plan is a digital-transformation plan of another province (2021–2023, communes
and agencies, a disaggregation by sex, Asia/Bangkok). No code changes: the rules, the views, the
completeness and the monitoring report take all they know from it, and show nothing of Hà Giang's plan.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builders import PROJECT_ROOT, Report, csv_bytes, write
from chiso.context import RunContext
from chiso.pipeline import ingest_paths
from chiso.report.build import build_report
from core.settings import load_settings
from warehouse.db import connect_read_only

CATALOG = PROJECT_ROOT / "tests" / "data" / "second_plan"
FIRST_PLAN_WORDS = ("Hà Giang", "KP_BOTRI", "NV_GIAO", "DP-SN", "CNTT", "2016", "Asia/Ho_Chi_Minh", "huyện")


def commune(unit: str, period: str, received: int = 120, online: int = 70) -> Report:
    rows = (
        ("HS_TIEPNHAN", "", received, ""),
        ("HS_TRUCTUYEN", "", online, ""),
        ("NGUOI_DUNG", "NAM", 300, ""),
        ("NGUOI_DUNG", "NU", 280, ""),
        ("HL_TYLE", "", 88.5, ""),
    )
    return Report("CDS-XA", unit, period, rows)


def agency(unit: str, period: str, spent: float | None = 420.5) -> Report:
    rows = [("DT_DUTOAN", "", 500, "")] + ([("DT_DACHI", "", spent, "")] if spent is not None else [])
    return Report("CDS-CQ", unit, period, tuple(rows))


# file -> (report, received, expected status, rules among the reasons)
FILES = {
    "x001-2022q1.csv": (commune("X001", "2022Q1"), "2022-04-10 09:00", "accepted", ()),
    "x002-2022q1.csv": (commune("X002", "Quý I/2022", received=80, online=20), "2022-04-12 09:00", "accepted", ()),
    "x002-2022q2.csv": (commune("X002", "2022Q2", received=50, online=60), "2022-07-05 09:00", "rejected", ("9",)),
    "x003-2022q1.csv": (commune("X003", "2022Q1"), "2022-04-11 09:00", "rejected", ("3",)),
    "x001-2019q1.csv": (commune("X001", "2019Q1"), "2022-04-11 09:00", "rejected", ("4",)),
    "cq-tc-2022.csv": (agency("CQ-TC", "2022"), "2023-03-01 09:00", "accepted", ()),
    "cq-cn-2022.csv": (agency("CQ-CN", "2022", spent=None), "2023-01-20 09:00", "rejected", ("8",)),
    "wrong-form.csv": (
        Report("DP-HUYEN", "X001", "2022Q1", commune("X001", "2022Q1").rows),
        "2022-04-11 09:00",
        "rejected",
        ("3",),
    ),
}


@pytest.fixture(scope="module")
def second_plan(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp("second-plan")
    for name, (report, received, _, _) in FILES.items():
        write(root / "inbox" / name, csv_bytes(report), received=received)
    settings = load_settings(home=root / "home", catalog_dir=CATALOG)
    run = ingest_paths([root / "inbox"], RunContext.of(settings, as_of=date(2023, 6, 1)), publish_snapshot=True)
    report = build_report(settings.snapshot, root / "report.html").read_text(encoding="utf-8")
    return {v.file_name: v for v in run.verdicts}, settings, report


@pytest.mark.parametrize("name", FILES)
def test_the_rules_judge_by_the_second_catalog(second_plan, name):
    verdicts, _, _ = second_plan
    _, _, status, rules = FILES[name]
    verdict = verdicts[name]
    assert verdict.status == status, [f.en for f in verdict.reasons]
    assert set(rules) <= {finding.rule for finding in verdict.reasons}
    for finding in verdict.reasons + verdict.warnings:
        assert not [word for word in FIRST_PLAN_WORDS if word in finding.vi + finding.en], finding


def test_reasons_name_the_second_plans_words(second_plan):
    verdicts, _, _ = second_plan
    [inconsistent] = [f for f in verdicts["x002-2022q2.csv"].reasons if f.rule == "9"]
    assert "HS_TRUCTUYEN = 60" in inconsistent.en and "Applications filed online" in inconsistent.en
    [wrong_form] = verdicts["wrong-form.csv"].reasons
    assert "CDS-XA, CDS-CQ" in wrong_form.en
    [young] = verdicts["x003-2022q1.csv"].reasons
    assert "2022-07-01" in young.en
    [late] = verdicts["cq-tc-2022.csv"].warnings
    assert late.rule == "late" and "2023-02-14" in late.en  # 45 days after the year ends


def test_views_follow_the_second_catalog(second_plan):
    _, settings, _ = second_plan
    with connect_read_only(settings.snapshot) as db:
        expected = db.execute("select dataset_code, count(*) from completeness group by 1 order by 1").fetchall()
        share = db.execute(
            "select numerator, denominator, round(value, 2) from indicator_rollup"
            " where indicator_code = 'TL_TRUCTUYEN' and period = '2022Q1' and scope = 'commune'"
        ).fetchone()
        spent = db.execute(
            "select target, actual, achieved from target_progress where indicator_code = 'TL_GIAINGAN' and year = 2022"
        ).fetchone()
        mean = db.execute(
            "select value from indicator_rollup where indicator_code = 'HL_TYLE' and period = '2022Q1'"
            " and scope = 'province'"
        ).fetchone()
    # every ended period of the plan: X001 and X002 for 12 quarters, X003 from 2022Q3; 2 agencies for 3 years
    assert expected == [("CDS-CQ", 2 * 3), ("CDS-XA", 12 + 12 + 6)]
    assert share == (90, 200, 45.0)
    assert spent == (80, 84.1, True)
    assert mean == (88.5,)


def test_the_report_shows_the_second_plan_only(second_plan):
    _, _, report = second_plan
    assert "Đề án chuyển đổi số tỉnh Lào Cai giai đoạn 2021-2023" in report and "Asia/Bangkok" in report
    for chart in (
        "completeness-CDS-XA",
        "completeness-CDS-CQ",
        "online-applications-commune",
        "spending",
        "online-share",
    ):
        assert f'id="{chart}"' in report, chart
    assert "Hồ sơ trực tuyến / Online applications" in report and "Xã, phường / Communes" in report
    assert [word for word in FIRST_PLAN_WORDS if word in report] == []


def test_the_catalog_folder_is_the_only_difference():
    """The second plan is data: the files every catalog holds, nothing else (its units have no successions)."""
    from core.catalog import OPTIONAL_TABLES, TABLES

    required = {f"{table}.csv" for table in TABLES}
    optional = {f"{table}.csv" for table in OPTIONAL_TABLES}
    shipped = {p.name for p in (PROJECT_ROOT / "catalog").glob("*.csv")}
    assert required <= shipped <= required | optional
    assert {p.name for p in Path(CATALOG).glob("*.csv")} == required
