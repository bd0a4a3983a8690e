"""Rule 3 on the real catalog across the 2025 reform: a file for a unit that ceased, for a period after its
end, is refused with a reason that names its successors (catalog/unit_successions.csv), code and name.

The catalog is the shipped one, its plan stretched to 2026 when it ends earlier, so that 2025's periods
are inside it; one ingest run on 20 January 2026 judges the three files.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest

from builders import PROJECT_ROOT, csv_bytes, department_report, district_report, write
from chiso.context import RunContext
from chiso.pipeline import ingest_paths
from core.settings import load_settings

# Huyện Đồng Văn (026) was split among six communes on 1 July 2025 (Nghị quyết 1684/NQ-UBTVQH15).
DONG_VAN_SUCCESSORS = (
    "00715 Xã Lũng Cú, 00721 Xã Đồng Văn, 00733 Xã Sà Phìn, 00745 Xã Phố Bảng, 00763 Xã Lũng Phìn, 00820 Xã Yên Minh"
)
FILES = {
    "dongvan-2025q2.csv": (district_report("026", "2025Q2"), "2025-07-10 09:00"),
    "dongvan-2025q3.csv": (district_report("026", "2025Q3"), "2025-10-10 09:00"),
    "sotttt-2025q1.csv": (department_report("STTTT", "2025Q1"), "2025-04-10 09:00"),
}


def stretched_catalog(folder):
    shutil.copytree(PROJECT_ROOT / "catalog", folder)
    path = folder / "plan.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rows[-1]["last_year"] = str(max(int(rows[-1]["last_year"]), 2026))  # the plan in force (plan.csv's last row)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    root = tmp_path_factory.mktemp("ceased")
    for name, (report, received) in FILES.items():
        write(root / "inbox" / name, csv_bytes(report), received=received)
    settings = load_settings(home=root / "home", catalog_dir=stretched_catalog(root / "catalog"))
    run = ingest_paths([root / "inbox"], RunContext.of(settings, as_of=date(2026, 1, 20)))
    return {verdict.file_name: verdict for verdict in run.verdicts}


def test_a_district_reports_its_last_quarter_before_the_reform(verdicts):
    verdict = verdicts["dongvan-2025q2.csv"]
    assert verdict.status == "accepted", [finding.en for finding in verdict.reasons]


def test_a_district_file_after_the_reform_is_refused_naming_its_communes(verdicts):
    verdict = verdicts["dongvan-2025q3.csv"]
    assert verdict.status == "rejected"
    [reason] = verdict.reasons
    assert (reason.rule, reason.check) == ("3", "unit_no_longer_existing")
    assert reason.vi.startswith(
        "Đơn vị 026 không còn báo cáo kỳ 2025Q3: đơn vị đã chấm dứt ngày 2025-06-30, trước ngày cuối của kỳ"
        f" (2025-09-30); đơn vị kế thừa: {DONG_VAN_SUCCESSORS}. Hãy kiểm tra lại mã đơn vị"
    )
    assert reason.en.startswith(
        "Unit 026 does not report 2025Q3: it ceased on 2025-06-30, before the period's last day (2025-09-30);"
        f" its successors: {DONG_VAN_SUCCESSORS}. Check the unit code"
    )


def test_a_merged_department_is_refused_for_the_quarter_it_ended_in_naming_its_successor(verdicts):
    verdict = verdicts["sotttt-2025q1.csv"]
    [reason] = verdict.reasons
    assert reason.check == "unit_no_longer_existing"
    successor = "SKHCN Sở Khoa học và Công nghệ"
    assert f"chấm dứt ngày 2025-02-28, trước ngày cuối của kỳ (2025-03-31); đơn vị kế thừa: {successor}." in reason.vi
    assert (
        f"it ceased on 2025-02-28, before the period's last day (2025-03-31); its successors: {successor}." in reason.en
    )
