"""One definition of timeliness on the demo: the report's late warnings, the completeness grid's late
cells, the `completeness` view, the portal's desk and the notices all count the same late slots (and the
same on-time and missing ones); corrections are not late."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import duckdb

from chiso.notices.owed import open_ledger, rows
from chiso.report.build import collect, render
from core.catalog import Catalog
from portal import views


def test_every_output_counts_the_same_late_reports(demo_warehouse, tmp_path):
    files, _, settings = demo_warehouse
    with duckdb.connect(str(settings.snapshot), read_only=True) as snapshot:
        data = collect(snapshot)
        view = dict(snapshot.execute("select status, count(*) from completeness group by status").fetchall())
        late_slots = set(
            snapshot.execute(
                "select dataset_code, unit_code, period from completeness where status = 'late'"
            ).fetchall()
        )
        warned_slots = snapshot.execute(
            "select dataset_code, unit_code, period from submission_warnings where warning = 'late'"
        ).fetchall()
        corrections = snapshot.execute("select sum(corrections) from completeness").fetchone()[0]
        desk = views.unit_summary(snapshot, None)
        chased = views.chase(snapshot, ["late"], None, None, Catalog(settings.catalog_dir).today())
    html = render(data, "chiso.duckdb")
    [(report_late, report_corrections)] = re.findall(
        r"(\d+) nộp muộn <span class=\"en\">/ late</span>; (\d+) bản sửa", html
    )
    grid_late = Counter(row["status"] for row in data["completeness"])["late"]

    shutil.copy(settings.warehouse, tmp_path / "chiso.duckdb")  # the session's warehouse stays as it was
    with duckdb.connect(str(tmp_path / "chiso.duckdb")) as copy:
        open_ledger(copy)
        owed = rows(copy, "owed_ingest")
    told_late = {(f["dataset_code"], f["unit_code"], f["period"]) for f in owed if f["kind"] == "late"}

    assert int(report_late) == grid_late == view["late"] == len(warned_slots) == len(told_late) > 0
    assert set(warned_slots) == late_slots == told_late  # the same slots, each once
    # the province's desk: its totals per status, and the late list it chases
    for status in ("late", "on_time", "missing", "rejected_only"):
        grid = Counter(row["status"] for row in data["completeness"])[status]
        assert sum(unit[status] for unit in desk) == view.get(status, 0) == grid, status
    assert {(row["dataset_code"], row["unit_code"], row["period"]) for row in chased} == late_slots
    # every correction is seen, and none of them is late
    resent = sum("correction" in f.expected_warnings for f in files)
    assert int(report_corrections) == corrections == resent > 0
