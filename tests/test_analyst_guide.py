"""Every SQL example in docs/analyst-guide.md runs on the demo warehouse and answers its question."""

from __future__ import annotations

import re
from datetime import UTC, date
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from builders import PROJECT_ROOT
from core.catalog import Catalog
from core.periods import Period
from demo import demo_values
from demo.story import DEMO_TODAY

PROVINCE = ZoneInfo("Asia/Ho_Chi_Minh")

GUIDE = (PROJECT_ROOT / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
QUERIES = dict(re.findall(r"```sql\n-- (\w+)\n(.*?)```", GUIDE, flags=re.S))


@pytest.fixture(scope="module")
def demo_files(demo_warehouse):
    files, _, _ = demo_warehouse
    return files


@pytest.fixture(scope="module")
def snapshot(demo_warehouse):
    _, _, settings = demo_warehouse
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        yield connection


def test_the_guide_has_its_examples():
    assert len(QUERIES) == GUIDE.count("```sql") >= 9


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_example_runs_and_returns_rows(snapshot, name):
    """Each example's answer is checked below; here, that none of them is empty."""
    assert snapshot.execute(QUERIES[name]).fetchall()


def test_the_articles_answers(snapshot):
    assert snapshot.execute(QUERIES["deployment"]).fetchall() == [
        ("department", 7, 12, 58.3),
        ("district", 4, 4, 100.0),
    ]
    assert snapshot.execute(QUERIES["district_tasks"]).fetchall() == [(11,)]
    it_targets = snapshot.execute(QUERIES["it_targets"]).fetchall()
    assert [(row[0], row[-1]) for row in it_targets] == [
        ("BENHVIEN", True),
        ("KHACHSAN", True),
        ("NHAHANG", True),
        ("TRUONGHOC", True),
    ]


def test_history_answers_what_was_known_on_a_date(snapshot):
    rows = snapshot.execute(QUERIES["as_known_on"]).fetchall()
    assert len({row[0] for row in rows}) == len(rows)  # one version per unit on that date


# --- each answer against what the demo inbox was made to say (demo.DemoFile, demo_values) ---

LOADED = ("accepted", "superseded")


def received_local_day(file) -> date:
    return file.received_at.replace(tzinfo=UTC).astimezone(PROVINCE).date()


def intended_completeness(files, catalog: Catalog, dataset: str, unit: str, period: str) -> str:
    """The spec's completeness status of one expected report, from the files the demo sent for it."""
    sent = [f for f in files if (f.dataset_code, f.unit_code, f.period) == (dataset, unit, period)]
    loaded = sorted(received_local_day(f) for f in sent if f.expected_status in LOADED)
    if not loaded:
        return "rejected_only" if any(f.expected_status == "rejected" for f in sent) else "missing"
    return "on_time" if loaded[0] <= catalog.due_date(dataset, Period.parse(period)) else "late"


def test_completeness_of_a_quarter_is_what_the_units_sent(snapshot, demo_files, catalog):
    expected: dict[str, list[str]] = {}
    for dataset in ("DP-SN", "DP-HUYEN"):
        for unit in catalog.units_submitting(dataset, Period.parse("2017Q2")):
            expected.setdefault(intended_completeness(demo_files, catalog, dataset, unit, "2017Q2"), []).append(unit)
    rows = snapshot.execute(QUERIES["completeness_2017q2"]).fetchall()
    assert {status: (count, units.split(", ")) for status, count, units in rows} == {
        status: (len(units), sorted(units)) for status, units in expected.items()
    }


def percent(part: int, whole: int) -> float:
    """As SQL's round(): halves away from zero (86.25 -> 86.3), not to even."""
    return float((Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def test_reporting_rates_count_every_expected_report(snapshot, demo_files, catalog):
    expected = []
    today = catalog.today()  # the view's: every period ended before it is expected (the plan runs to 2030)
    for dataset in catalog.datasets:
        slots = [
            (unit, p.code)
            for p in catalog.periods(catalog.datasets[dataset]["period_type"])
            if p.end < today
            for unit in catalog.units_submitting(dataset, p)
        ]
        statuses = [intended_completeness(demo_files, catalog, dataset, unit, period) for unit, period in slots]
        received = sum(status in ("on_time", "late") for status in statuses)
        on_time = statuses.count("on_time")
        expected.append((dataset, len(slots), received, percent(received, len(slots)), percent(on_time, len(slots))))
    assert snapshot.execute(QUERIES["rates_by_dataset"]).fetchall() == sorted(expected)


def test_funding_is_the_sum_of_each_units_latest_quarter(snapshot):
    values = demo_values()
    rows = snapshot.execute(QUERIES["funding"]).fetchall()
    assert [row[0] for row in rows] == [str(year) for year in range(2016, DEMO_TODAY.year + 1)]
    for year, allocated, disbursed, share in rows:
        latest: dict[str, dict] = {}
        for (dataset, unit, period), items in sorted(values.items()):
            if dataset != "CNTT-NAM" and period.startswith(year) and ("KP_BOTRI", None) in items:
                latest[unit] = items  # quarters sort in order: the last one stays
        total = sum(items[("KP_BOTRI", None)] for items in latest.values())
        spent = sum(items[("KP_GIAINGAN", None)] for items in latest.values())
        assert (allocated, disbursed, share) == (round(total, 1), round(spent, 1), round(100 * spent / total, 1))


def test_rejections_are_the_demos_refused_files(snapshot, demo_files):
    rejected = {f.file_name for f in demo_files if f.expected_status == "rejected"}
    shown = snapshot.execute(QUERIES["rejections"]).fetchall()
    assert len(shown) == 10 and {row[0] for row in shown} <= rejected
    everything = snapshot.execute("select distinct file_name from rejection_reasons").fetchall()
    assert {name for (name,) in everything} == rejected


def test_follow_up_counts_the_late_and_formula_like_files(snapshot, demo_files):
    counts = dict(snapshot.execute(QUERIES["follow_up"]).fetchall())
    loaded = [f for f in demo_files if f.expected_status in LOADED]
    assert counts["late"] == sum("late" in f.expected_warnings for f in loaded)
    assert counts["formula_text"] == sum("formula" in f.expected_warnings for f in loaded)
    assert counts["correction"] == sum("correction" in f.expected_warnings for f in loaded) > 0
