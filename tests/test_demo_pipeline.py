"""The demo inbox through the real pipeline: every file gets the verdict the demo intends,
and the source article's figures come out of the warehouse."""

from __future__ import annotations

import shutil
from dataclasses import replace

import duckdb
import pytest


@pytest.fixture(scope="module")
def demo(demo_warehouse):
    return demo_warehouse


def test_every_demo_file_gets_its_intended_verdict_and_rules(demo):
    files, verdicts, _ = demo
    assert len(verdicts) == len(files)
    wrong = []
    for intended in files:
        verdict = verdicts[intended.file_name]
        found = {reason.rule for reason in verdict.reasons}
        if verdict.status != intended.expected_status or not set(intended.expected_rules) <= found:
            wrong.append((intended.file_name, intended.expected_status, intended.expected_rules, verdict.status, found))
    assert wrong == []


def test_the_articles_figures(demo):
    import duckdb

    _, _, settings = demo
    with duckdb.connect(str(settings.warehouse), read_only=True) as db:
        parts = dict(
            db.execute(
                "select scope, [numerator, denominator] from indicator_rollup"
                " where period = '2017Q2' and indicator_code = 'NV_TYLE_TRIENKHAI'"
            ).fetchall()
        )
        tasks = db.execute(
            "select value from indicator_rollup"
            " where period = '2017Q2' and scope = 'district' and indicator_code = 'NV_CUTHE'"
        ).fetchone()
        met = db.execute(
            "select disaggregation, achieved from target_progress"
            " where indicator_code = 'CNTT_TYLE' and scope = 'province' and year = 2017 order by 1"
        ).fetchall()
    assert parts["department"] == [7, 12] and parts["district"] == [4, 4]
    assert tasks == (11,)
    assert met == [("BENHVIEN", True), ("KHACHSAN", True), ("NHAHANG", True), ("TRUONGHOC", True)]


def test_the_demo_approvals_show_every_state(demo_warehouse, tmp_path):
    """`make run`'s approvals (dev/approvals.py), on a copy of the demo warehouse: the province's
    accepted year, the units' approvals, a returned report and one changed since its approval."""
    from dev.approvals import approve_demo

    _, _, settings = demo_warehouse
    copy = replace(settings, warehouse=tmp_path / "chiso.duckdb", snapshot=tmp_path / "snapshot" / "chiso.duckdb")
    shutil.copy(settings.warehouse, copy.warehouse)
    counts = approve_demo(copy)
    assert {"accepted", "approved", "returned", "changed since approval", "received"} <= set(counts)
    assert counts["returned"] == counts["changed since approval"] == 1
    with duckdb.connect(str(copy.snapshot), read_only=True) as snapshot:
        official = snapshot.execute("select count(distinct (dataset_code, unit_code, period)) from official_values")
        assert official.fetchone() == (counts["accepted"],)
        [(reason,)] = snapshot.execute("select reason from approval_log where action = 'return'").fetchall()
    assert "NV_CUTHE" in reason
