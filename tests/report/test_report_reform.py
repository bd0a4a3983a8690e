"""The demo's report across the 2025 reform (issue 22): its series run 2016–2026 and go on across
1 July 2025, the day marked (from the warehouse's unit_successions). Built once from the session's
demo warehouse (tests/conftest.py), no browser."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

BREAK = "Sáp nhập tỉnh, bỏ cấp huyện, thành phố từ 01/7/2025 / Province merged, districts ended, from 1 July 2025"
MERGED_DEPARTMENTS = "Sáp nhập sở, ngành từ 01/3/2025 / Departments merged, from 1 March 2025"


@pytest.fixture(scope="module")
def report(demo_warehouse, tmp_path_factory) -> str:
    from chiso.report.build import build_report

    _, _, settings = demo_warehouse
    output = tmp_path_factory.mktemp("reform") / "report.html"
    build_report(settings.snapshot, output, generated_at=datetime(2026, 7, 25, 9, 0))
    return html.unescape(output.read_text(encoding="utf-8"))


def section(report: str, anchor: str) -> str:
    start = report.index(f'<section id="{anchor}"')
    return report[start : report.index("</section>", start)]


def test_the_series_run_from_2016_to_2026_and_mark_the_reform(report) -> None:
    share = section(report, "it-share")
    years = re.findall(r">(20\d\d)</text>", share)  # every other year labelled: eleven years are narrow
    assert sorted(set(years)) == [str(year) for year in range(2016, 2027, 2)]
    assert BREAK in share and MERGED_DEPARTMENTS in share  # the lines' titles and the note under the lead
    # the province's IT share is there on both sides of the break: 2024 from the districts, 2025 from the communes
    for year in range(2016, 2026):  # 2026's survey is not due yet
        assert re.search(rf"Trường học / Schools, {year}: \d", share), year


def test_the_quarterly_province_series_continues_across_the_break(report) -> None:
    groups = section(report, "task-groups")
    assert groups.count(BREAK) >= 4  # each scope's chart: departments, districts, communes, the province
    assert groups.count("01/7/2025</text>") == 4  # the day above each chart's line
    for quarter in ("2025Q2", "2025Q3"):  # the districts' last quarter, the communes' first
        assert re.search(rf"{quarter}: \d+ / \d+ ", groups), quarter
