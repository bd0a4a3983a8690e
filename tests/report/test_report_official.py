"""Official figures (issue 20, item 5): the views over them, the report's official and provisional marks,
`chiso report --official` and the approval states in the completeness grid — on a copy of the session's demo
warehouse where the province accepted some slots, by the approval actions the units and the province take."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from html import unescape
from pathlib import Path

import duckdb
import pytest

from builders import PROJECT_ROOT
from chiso.approval import Slot, Step, act_all
from chiso.report.build import EVERY_FIGURE, OFFICIAL_FIGURES, build_report, collect
from chiso.report.charts import PROVISIONAL_MARK
from core.kinds import APPROVAL_STATES
from core.vocabulary import say
from warehouse.db import connect, connect_read_only

APPROVER, REVIEWER = "truongphong@donvi.example.vn", "sokhcn@tinh.example.vn"
CHISO = str(Path(sys.executable).parent / "chiso")


def slots_of(connection, dataset: str, periods: tuple[str, ...]) -> list[Slot]:
    rows = connection.execute(
        "select unit_code, period from slot_approvals where dataset_code = ? and submission_id is not null"
        " and list_contains(?, period) order by unit_code, period",
        [dataset, list(periods)],
    ).fetchall()
    return [Slot(dataset, unit, period) for unit, period in rows]


@pytest.fixture(scope="module")
def official(demo_warehouse, tmp_path_factory):
    """The demo warehouse (a copy) where the province accepted the districts' 2016Q1 and their yearly survey of
    2016, two districts' 2016Q2 (one then reopened) and half of the departments' 2017Q1; of their 2017Q2, three
    are approved and one returned. Returns (settings, the slots accepted and still so)."""
    _, _, demo = demo_warehouse
    root = tmp_path_factory.mktemp("official")
    settings = replace(demo, warehouse=root / "chiso.duckdb", snapshot=root / "snapshot" / "chiso.duckdb")
    shutil.copy(demo.warehouse, settings.warehouse)
    with connect_read_only(settings.warehouse) as connection:
        districts_q1, districts_q2 = (slots_of(connection, "DP-HUYEN", (period,)) for period in ("2016Q1", "2016Q2"))
        survey = slots_of(connection, "CNTT-NAM", ("2016",))
        departments_q1, departments_q2 = (slots_of(connection, "DP-SN", (period,)) for period in ("2017Q1", "2017Q2"))
    accepted = [*districts_q1, *districts_q2[:2], *survey, *departments_q1[: len(departments_q1) // 2]]
    reopened = districts_q2[0]
    steps = [
        Step(slot, action, APPROVER if action == "approve" else REVIEWER)
        for slot in accepted
        for action in ("approve", "accept")
    ]
    steps.append(Step(reopened, "reopen", REVIEWER, "sửa NV_GIAO"))
    steps += [Step(slot, "approve", APPROVER) for slot in departments_q2[:3]]
    steps += [Step(departments_q2[3], "approve", APPROVER), Step(departments_q2[3], "return", REVIEWER, "xem lại")]
    act_all(settings, steps)
    return settings, {slot for slot in accepted if slot != reopened}


def rows(settings, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def summed(found: list[tuple]) -> list[tuple]:
    """Rows with their numbers to 9 places: sums of the same values in another order differ in the last bits."""
    return [tuple(round(value, 9) if isinstance(value, float) else value for value in row) for row in found]


def as_slots(found) -> set[Slot]:
    return {Slot(*row) for row in found}


# --- the views -----------------------------------------------------------------------------------


def test_official_values_hold_exactly_the_accepted_unchanged_slots(official):
    settings, accepted = official
    assert as_slots(rows(settings, "select distinct dataset_code, unit_code, period from official_values")) == accepted
    official_rows = rows(settings, "select * exclude (accepted_at, accepted_by) from official_values order by all")
    received = rows(settings, "select * from indicator_values order by all")
    assert official_rows == [row for row in received if Slot(*row[:3]) in accepted]
    states = dict(rows(settings, "select state, count(*) from slot_approvals group by state"))
    assert states["accepted"] == len(accepted) and states["approved"] == 3 and states["returned"] == 1


def test_the_official_rollup_is_the_rollup_of_only_those_values(official, tmp_path):
    """On a copy holding only the accepted slots' files, the everyday roll-up is the official one."""
    settings, accepted = official
    copy = tmp_path / "only_official.duckdb"
    shutil.copy(settings.warehouse, copy)
    with connect(copy) as connection:
        connection.execute("create temp table kept (dataset_code varchar, unit_code varchar, period varchar)")
        connection.executemany("insert into kept values (?, ?, ?)", [list(slot.fields().values()) for slot in accepted])
        connection.execute(
            "update submission_records as records set status = 'rejected' where status = 'accepted'"
            " and not exists (select 1 from kept where kept.dataset_code = records.dataset_code"
            " and kept.unit_code = records.unit_code and kept.period = records.period)"
        )
        only_those = connection.execute("select * from indicator_rollup_live order by all").fetchall()
        only_targets = connection.execute("select * from target_progress_of('indicator_rollup_live') order by all")
        only_targets = only_targets.fetchall()
    assert only_those and summed(only_those) == summed(rows(settings, "select * from official_rollup order by all"))
    assert summed(only_targets) == summed(rows(settings, "select * from official_target_progress order by all"))
    # and by hand, for a quarter: the departments' assigned task groups, added up over the accepted units
    by_hand = sum(
        value
        for unit, period, value in rows(
            settings, "select unit_code, period, value from indicator_values where indicator_code = 'NV_GIAO'"
        )
        if period == "2017Q1" and Slot("DP-SN", unit, period) in accepted
    )
    [(figure,)] = rows(
        settings,
        "select value from official_rollup where indicator_code = 'NV_GIAO' and period = '2017Q1'"
        " and scope = 'department' and disaggregation = ''",
    )
    assert figure == by_hand > 0


def contributing_slots(settings) -> dict[tuple, set[Slot]]:
    """Each figure of a plain indicator (period × scope × indicator × disaggregation) and the slots whose
    values it is computed from, worked out here from indicator_values, not by the views."""
    found: dict[tuple, set[Slot]] = {}
    for dataset, unit, unit_type, period, year, quarter, indicator, disaggregation in rows(
        settings,
        "select dataset_code, unit_code, unit_type, period, year, quarter, indicator_code, disaggregation"
        " from indicator_values join units using (unit_code) join periods using (period)",
    ):
        slot = Slot(dataset, unit, period)
        for scope in (unit_type, "province"):
            if quarter is not None:
                found.setdefault((period, scope, indicator, disaggregation), set()).add(slot)
            found.setdefault((str(year), scope, indicator, disaggregation), set()).add(slot)
    return found


def test_a_figure_is_official_exactly_when_every_slot_it_is_computed_from_is(official):
    settings, accepted = official
    marks = {
        row[:4]: row[4]
        for row in rows(settings, "select period, scope, indicator_code, disaggregation, official from rollup_marks")
    }
    expected = {key: slots <= accepted for key, slots in contributing_slots(settings).items()}
    assert {key: marks[key] for key in expected} == expected
    assert set(expected.values()) == {True, False}
    # the districts' 2016Q1 is all accepted, not their 2016Q2 nor so their year; their survey of 2016 is
    assert marks[("2016Q1", "district", "NV_GIAO", "")] is True
    assert marks[("2016Q2", "district", "NV_GIAO", "")] is False
    assert marks[("2016", "district", "NV_GIAO", "")] is False
    assert marks[("2016", "province", "CNTT_TYLE", "BENHVIEN")] is True
    assert marks[("2017Q1", "department", "NV_GIAO", "")] is False  # half of the departments' accepted


def test_the_analyst_guides_example_counts_the_official_figures(official):
    settings, _ = official
    guide = (PROJECT_ROOT / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n-- official_share\n(.*?)```", guide, re.S)[1]
    counted = {period: (official_figures, figures) for period, official_figures, figures in rows(settings, query)}
    assert 0 < counted["2016"][0] < counted["2016"][1]  # the districts' survey of 2016, not their quarters
    assert counted["2018"][0] == 0 < counted["2018"][1]


# --- the report ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(official, tmp_path_factory) -> dict[str, str]:
    """The everyday report (build_report) and the official one (`chiso report --official`)."""
    settings, _ = official
    folder = tmp_path_factory.mktemp("official-report")
    everything = build_report(settings.warehouse, folder / "report.html")
    env = {**os.environ, "CHISO_HOME": str(settings.home)}
    official_html = folder / "official.html"
    command = [CHISO, "report", "--official", "--warehouse", str(settings.warehouse), "--output", str(official_html)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return {"every": everything.read_text(encoding="utf-8"), "official": official_html.read_text(encoding="utf-8")}


def svg_of(html: str, chart_id: str) -> str:
    return re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S)[0]


def labels(svg: str) -> list[str]:
    """The labels `part/whole` above a quarter chart's bars, marked provisional or not."""
    texts = [unescape(text) for text in re.findall(r"<text [^>]*>([^<]*)</text>", svg)]
    return [text for text in texts if re.fullmatch(r"[\d\u202f,]+/[\d\u202f,]+\*?", text)]


def section(html: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">.*?</section>', html, re.S)[0]


def marks_of(settings) -> dict[tuple, bool]:
    return {
        row[:4]: row[4]
        for row in rows(settings, "select period, scope, indicator_code, disaggregation, official from rollup_marks")
    }


def test_the_report_marks_exactly_the_official_figures(official, reports):
    settings, _ = official
    with connect_read_only(settings.warehouse) as connection:
        data = collect(connection, EVERY_FIGURE)
    marks, html = marks_of(settings), reports["every"]
    official_words, provisional_words = str(say("figure.official")), str(say("figure.provisional"))
    drawn = 0
    for chart in data["charts"]:
        if chart["chart_kind"] != "parts" or chart["period_type"] != "quarter":
            continue
        for scope in chart["scopes"].split():
            scope_rows = [row for row in chart["rows"] if row["scope"] == scope and row["whole"] is not None]
            expected = [marks[(row["period"], scope, chart["indicator_code"], "")] for row in scope_rows]
            assert [row["official"] for row in scope_rows] == expected
            svg = svg_of(html, f"{chart['chart_code'].replace('_', '-')}-{scope}")
            assert [label.endswith(PROVISIONAL_MARK) for label in labels(svg)] == [not mark for mark in expected]
            said = dict(re.findall(r"<title>(\d{4}Q\d): [^<]* · ([^<]*)</title>", unescape(svg)))  # bars' tooltips
            assert said and all(
                said.get(row["period"], words) == words
                for row, mark in zip(scope_rows, expected, strict=True)
                for words in [official_words if mark else provisional_words]
            )
            drawn += len(expected)
    assert drawn and data["targets"]
    for target in data["targets"]:
        key = (str(target["year"]), target["scope"], target["indicator_code"], target["disaggregation"])
        assert target["official"] == (target["actual"] is not None and marks[key])
    provisional_targets = sum(target["actual"] is not None and not target["official"] for target in data["targets"])
    assert section(html, "targets").count('class="tag figure provisional"') == provisional_targets
    legend = say("report.legend_marked", mark=PROVISIONAL_MARK)
    assert legend.vi in html and legend.en in html


def test_report_official_leaves_the_provisional_figures_out(official, reports):
    settings, _ = official
    html, everything = reports["official"], reports["every"]
    assert f"<title>{say('report.official_title')} –" in html and say("report.official_kicker").en in html
    legend = say("report.legend_official_only")
    assert legend.vi in html and legend.en in html
    assert str(say("figure.provisional")) not in html and "tag figure provisional" not in html
    with connect_read_only(settings.warehouse) as connection:
        data = collect(connection, OFFICIAL_FIGURES)
    figures = {
        row[:2]: row[2:]
        for row in rows(
            settings,
            "select period, scope, numerator, denominator from official_rollup"
            " where indicator_code = 'NV_TYLE_TRIENKHAI' and disaggregation = '' and period_type = 'quarter'",
        )
    }
    chart = next(chart for chart in data["charts"] if chart["indicator_code"] == "NV_TYLE_TRIENKHAI")
    assert {(row["period"], row["scope"]): (row["part"], row["whole"]) for row in chart["rows"]} == figures
    assert all(row["official"] for row in chart["rows"])
    drawn = labels(svg_of(html, "task-groups-department"))
    assert drawn and not any(label.endswith(PROVISIONAL_MARK) for label in drawn)
    # no slot of 2017Q2 is accepted: the everyday report draws its figures, the official one leaves them out
    assert ("2017Q2", "department") not in figures
    assert len(drawn) < len(labels(svg_of(everything, "task-groups-department")))
    for unchanged in ("rejected", "warnings"):  # the files' sections are the same in both
        assert section(html, unchanged) == section(everything, unchanged)


def test_report_official_is_in_its_help_with_an_example():
    done = subprocess.run([CHISO, "report", "--help"], capture_output=True, text=True)
    assert "--official" in done.stdout and "chiso report --official" in done.stdout.split("examples:")[1]


# --- the completeness grid and its CSV -------------------------------------------------------------


def test_the_grid_shows_each_slots_approval_state(official, reports, tmp_path):
    from chiso.outputs.completeness import write

    settings, accepted = official
    found = rows(settings, "select state from slot_approvals where dataset_code = 'DP-SN'")
    states = Counter(state for (state,) in found)
    grid = unescape(svg_of(reports["every"], "completeness-DP-SN"))
    for state in APPROVAL_STATES.codes:  # each cell's tooltip: the state's mark and words
        assert grid.count(f"{say(f'approval_mark.{state}').vi} {APPROVAL_STATES.text(state)}") == states[state], state
    accepted_here = sum(1 for slot in accepted if slot.dataset_code == "DP-SN")
    assert grid.count(f">{say('approval_mark.accepted').vi}</text>") == accepted_here > 0  # the mark in the cell
    for key in (*APPROVAL_STATES.codes, "changed_since_approval"):  # the legend
        assert f'class="approval-{key}"' in reports["every"]
    written = write(settings.warehouse, tmp_path)
    header, *lines = written["completeness"].read_text(encoding="utf-8-sig").splitlines()
    assert header.split(",")[-3:] == ["approval_state", "changed_since_approval", "approval_changed_at"]
    column = header.split(",").index("approval_state")
    assert Counter(line.split(",")[column] for line in lines)["accepted"] == len(accepted)
