"""The demo's report, built once per test module: the demo inbox through the pipeline, a rejected file
with a hostile name, and a copy of the warehouse holding a file name and a warning no file system allows."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from report_helpers import HOSTILE_FILE, HOSTILE_STORED, HOSTILE_WARNING

from chiso.context import RunContext


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo inbox through the pipeline, plus a rejected file with a hostile name; snapshot published."""
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings
    from demo import generate_demo_inbox

    root = tmp_path_factory.mktemp("report")
    files = generate_demo_inbox(root / "inbox")
    # Small: the first two years of the plan (with the 2017 targets); later periods show as missing.
    paths = list(dict.fromkeys(root / "inbox" / f.file_name for f in files if f.period[:4] in ("2016", "2017")))
    hostile = root / "inbox" / HOSTILE_FILE
    hostile.write_text("dataset,unit_code,period,indicator_code,value\nDP-SN,SKHCN,2018Q3,NV_GIAO,<b>ba</b>\n")
    received = datetime(2018, 10, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()
    os.utime(hostile, (received, received))
    settings = load_settings(home=root / "home")
    report = ingest_paths([*paths, hostile], RunContext.of(settings, as_of=date(2021, 6, 1)), publish_snapshot=True)
    assert {v.file_name: v.status for v in report.verdicts}[HOSTILE_FILE] == "rejected"
    return settings


@pytest.fixture(scope="module")
def hostile_warehouse(demo, tmp_path_factory):
    """A copy of the demo warehouse with a file name and a warning no file system would allow."""
    import duckdb

    path = tmp_path_factory.mktemp("hostile") / "chiso.duckdb"
    shutil.copyfile(demo.warehouse, path)
    with duckdb.connect(str(path)) as db:
        db.execute(
            "update submission_records set file_name = ? where submission_id ="
            " (select min(submission_id) from submission_records where status = 'rejected')",
            [HOSTILE_STORED],
        )
        db.execute(
            "insert into findings select submission_id, 99, 'formula_text', 'formula_text', 'warning', [2], [], ?, ?"
            " from submission_records where status = 'accepted' order by submission_id limit 1",
            [HOSTILE_WARNING, HOSTILE_WARNING],
        )
    return path


@pytest.fixture(scope="module")
def report_html(hostile_warehouse, tmp_path_factory) -> Path:
    from chiso.report.build import build_report

    output = tmp_path_factory.mktemp("out") / "report.html"
    build_report(hostile_warehouse, output, generated_at=datetime(2021, 6, 1, 8, 30))
    return output
