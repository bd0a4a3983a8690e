"""Every SQL example in docs/analyst-guide.md runs on the demo warehouse and answers its question."""

from __future__ import annotations

import re

import duckdb
import pytest

from builders import PROJECT_ROOT

GUIDE = (PROJECT_ROOT / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
QUERIES = dict(re.findall(r"```sql\n-- (\w+)\n(.*?)```", GUIDE, flags=re.S))


@pytest.fixture(scope="module")
def snapshot(demo_warehouse):
    _, _, settings = demo_warehouse
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        yield connection


def test_the_guide_has_its_examples():
    assert len(QUERIES) == GUIDE.count("```sql") >= 9


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_example_runs_and_returns_rows(snapshot, name):
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
