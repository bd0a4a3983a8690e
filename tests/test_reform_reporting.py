"""Reporting across a reform (issue 22): a unit owes, and may send, the periods it is valid on the last day of.

A small catalog (the second plan's forms, 2025–2026): district H01 ends on 2025-06-30 and is split into
communes X101 and X102 from 2025-07-01; agency CQ-CN merges into CQ-SO on that day; agency CQ-XX ends
without a successor. One ingest run judges a file per side of the change; completeness, GX's rule 3, the
templates and the reminders must all draw the line on the same day.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from builders import PROJECT_ROOT, Report, csv_bytes, write
from chiso.approval import Slot, Step, act_all
from chiso.cli import main
from chiso.commands.accounts import successors_of
from chiso.context import RunContext
from chiso.notices.run import claim_scheduled
from chiso.pipeline import ingest_paths
from core.catalog import Catalog
from core.periods import Period
from core.settings import load_settings
from portal.accounts import Accounts
from portal.directory import PortalAccounts
from transforms.template.form import TemplateError
from transforms.template.workbook import build_template
from warehouse.db import connect_read_only

SECOND_PLAN = PROJECT_ROOT / "tests" / "data" / "second_plan"
AS_OF = date(2026, 1, 20)
VALIDITY = {"unit_not_yet_existing", "unit_no_longer_existing"}

UNITS = """unit_code,unit_name,unit_type,parent_code,valid_from,valid_to
10,Tỉnh Lào Cai,province,,2000-01-01,
H01,Huyện Một,district,10,2000-01-01,2025-06-30
X101,Xã Một A,commune,10,2025-07-01,
X102,Xã Một B,commune,10,2025-07-01,
CQ-CN,Ban Công nghệ,agency,10,2000-01-01,2025-06-30
CQ-SO,Sở Chuyển đổi số,agency,10,2025-07-01,
CQ-XX,Ban Dự án,agency,10,2000-01-01,2025-06-30
"""
SUCCESSIONS = """from_code,to_code,kind,effective_date,weight,weight_method,reverse_weight,mapping,legal_basis,note
H01,X101,split,2025-07-01,1/2,equal,1,exact,Nghị quyết thử,
H01,X102,split,2025-07-01,1/2,equal,1,exact,Nghị quyết thử,
CQ-CN,CQ-SO,merge,2025-07-01,1,whole,1,exact,Nghị quyết thử,
CQ-XX,,end,2025-07-01,,,,,Nghị quyết thử,
"""
CONTACTS = """unit_code,email,name,role
H01,vanthu@h01.example,Văn thư huyện Một,unit
X101,vanthu@x101.example,Văn thư xã Một A,unit
X102,vanthu@x102.example,Văn thư xã Một B,unit
CQ-SO,vanthu@cqso.example,Văn thư Sở,unit
10,chuyendoiso@laocai.example,Tổ giúp việc,province
"""


def local_report(dataset: str, unit: str, period: str) -> Report:
    rows = (
        ("HS_TIEPNHAN", "", 120, ""),
        ("HS_TRUCTUYEN", "", 70, ""),
        ("NGUOI_DUNG", "NAM", 300, ""),
        ("NGUOI_DUNG", "NU", 280, ""),
    )
    return Report(dataset, unit, period, rows)


def agency(unit: str, period: str) -> Report:
    return Report("CDS-CQ", unit, period, (("DT_DUTOAN", "", 500, ""), ("DT_DACHI", "", 420.5, "")))


# file -> (report, received, refused by which validity check of rule 3: None = accepted)
FILES = {
    "h01-2025q1.csv": (local_report("CDS-HUYEN", "H01", "2025Q1"), "2025-04-10 09:00", None),
    "h01-2025q2.csv": (local_report("CDS-HUYEN", "H01", "2025Q2"), "2025-07-20 09:00", None),
    "h01-2025q3.csv": (local_report("CDS-HUYEN", "H01", "2025Q3"), "2025-10-05 09:00", "unit_no_longer_existing"),
    "x101-2025q2.csv": (local_report("CDS-XA", "X101", "2025Q2"), "2025-07-05 09:00", "unit_not_yet_existing"),
    "x101-2025q3.csv": (local_report("CDS-XA", "X101", "2025Q3"), "2025-10-20 09:00", None),
    "cq-cn-2025.csv": (agency("CQ-CN", "2025"), "2026-01-10 09:00", "unit_no_longer_existing"),
    "cq-xx-2025.csv": (agency("CQ-XX", "2025"), "2026-01-10 09:00", "unit_no_longer_existing"),
    "cq-so-2025.csv": (agency("CQ-SO", "2025"), "2026-01-10 09:00", None),
}


def reform_catalog(folder):
    """The second plan's forms, a district form beside the communes', over 2025–2026, with the reform."""
    shutil.copytree(SECOND_PLAN, folder)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "unit_successions.csv").write_text(SUCCESSIONS, encoding="utf-8")
    (folder / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    plan = (folder / "plan.csv").read_text(encoding="utf-8").replace(",2021,2023,", ",2025,2026,")
    (folder / "plan.csv").write_text(plan, encoding="utf-8")
    with (folder / "unit_types.csv").open("a", encoding="utf-8") as types:
        types.write("district,huyện,district,Huyện,Districts\n")
    with (folder / "datasets.csv").open("a", encoding="utf-8") as datasets:
        datasets.write(
            "CDS-HUYEN,Báo cáo quý chuyển đổi số cấp huyện,Quarterly digital transformation report (districts),"
            "district,quarter,15,5,,10\n"
        )
    with (folder / "dataset_indicators.csv").open("a", encoding="utf-8") as lines:
        lines.write("CDS-HUYEN,HS_TIEPNHAN,true\nCDS-HUYEN,HS_TRUCTUYEN,true\nCDS-HUYEN,NGUOI_DUNG,true\n")
    return folder


@pytest.fixture(scope="module")
def reform(tmp_path_factory):
    root = tmp_path_factory.mktemp("reform")
    catalog = reform_catalog(root / "catalog")
    for name, (report, received, _) in FILES.items():
        write(root / "inbox" / name, csv_bytes(report), received=received)
    settings = load_settings(home=root / "home", catalog_dir=catalog)
    run = ingest_paths([root / "inbox"], RunContext.of(settings, as_of=AS_OF), publish_snapshot=True)
    return {verdict.file_name: verdict for verdict in run.verdicts}, settings, Catalog(catalog)


def owed(settings, day: date) -> set[tuple[str, str, str]]:
    with connect_read_only(settings.snapshot) as db:
        rows = db.execute("select dataset_code, unit_code, period from completeness_as_of(?)", [day]).fetchall()
    return set(rows)


def test_completeness_owes_each_period_to_the_unit_valid_on_its_last_day(reform):
    _, settings, _ = reform
    slots = owed(settings, AS_OF)
    quarters = {(unit, period) for dataset, unit, period in slots if dataset in ("CDS-HUYEN", "CDS-XA")}
    # H01 until 2025Q2, the communes from 2025Q3; 2026Q1 has not ended on 20 January 2026
    assert quarters == {
        ("H01", "2025Q1"),
        ("H01", "2025Q2"),
        ("X101", "2025Q3"),
        ("X101", "2025Q4"),
        ("X102", "2025Q3"),
        ("X102", "2025Q4"),
    }
    # the year 2025 ends on 31 December: CQ-SO owes it, not CQ-CN nor CQ-XX, which ended on 30 June
    assert {(unit, period) for dataset, unit, period in slots if dataset == "CDS-CQ"} == {("CQ-SO", "2025")}


def test_the_catalogs_rule_draws_the_same_line_as_completeness(reform):
    _, settings, catalog = reform
    python = {
        (dataset, unit, period.code)
        for dataset, row in catalog.datasets.items()
        for period in catalog.periods(row["period_type"])
        if period.end < AS_OF
        for unit in catalog.units_submitting(dataset, period)
    }
    assert python == owed(settings, AS_OF)


@pytest.mark.parametrize("name", FILES)
def test_gx_refuses_exactly_the_files_completeness_does_not_owe(reform, name):
    verdicts, settings, _ = reform
    report, _, refused_by = FILES[name]
    verdict = verdicts[name]
    validity = {finding.check for finding in verdict.reasons} & VALIDITY
    assert validity == ({refused_by} if refused_by else set()), [f.en for f in verdict.reasons]
    assert verdict.status == ("rejected" if refused_by else "accepted")
    assert ((report.dataset, report.unit, report.period) in owed(settings, date(2026, 12, 31))) is (refused_by is None)


def test_the_refusal_names_the_successors_in_both_languages(reform):
    verdicts, _, _ = reform
    [district] = verdicts["h01-2025q3.csv"].reasons
    assert district.vi.startswith(
        "Đơn vị H01 không còn báo cáo kỳ 2025Q3: đơn vị đã chấm dứt ngày 2025-06-30, trước ngày cuối của kỳ"
        " (2025-09-30); đơn vị kế thừa: X101 Xã Một A, X102 Xã Một B."
    )
    assert district.en.startswith(
        "Unit H01 does not report 2025Q3: it ceased on 2025-06-30, before the period's last day (2025-09-30);"
        " its successors: X101 Xã Một A, X102 Xã Một B."
    )
    [merged] = verdicts["cq-cn-2025.csv"].reasons
    assert "; its successors: CQ-SO Sở Chuyển đổi số." in merged.en
    [ended] = verdicts["cq-xx-2025.csv"].reasons
    assert "it ceased on 2025-06-30, before the period's last day (2025-12-31). " in ended.en
    assert "successors:" not in ended.en and "kế thừa:" not in ended.vi
    [young] = verdicts["x101-2025q2.csv"].reasons
    assert "2025-07-01" in young.en


def test_templates_are_made_for_the_periods_a_unit_owes_only(reform):
    _, _, catalog = reform
    assert build_template(catalog, "CDS-HUYEN", "H01", "2025Q2")[:2] == b"PK"
    with pytest.raises(TemplateError, match="its successors report from 2025-07-01: X101, X102"):
        build_template(catalog, "CDS-HUYEN", "H01", "2025Q3")
    assert catalog.units_submitting("CDS-XA", Period.parse("2025Q3")) == ["X101", "X102"]
    assert catalog.units_submitting("CDS-XA", Period.parse("2025Q2")) == []
    assert catalog.units_submitting("CDS-HUYEN", Period.parse("2025Q3")) == []


def reminders(settings, day: date) -> dict[str, tuple[set[str], set[str]]]:
    """unit -> (periods, addresses) of the reminders owed on `day`, claimed in a transaction rolled back."""
    claim = claim_scheduled(settings, day, dry_run=True, accounts=PortalAccounts(settings.accounts))
    return {
        notice["unit_code"]: (
            {item["period"] for item in notice["items"]},
            {person["email"] for person in notice["recipients"]},
        )
        for notice in claim["notices"]
        if notice["message_kind"] == "reminder"
    }


def test_reminders_stop_and_start_on_the_effective_date(reform):
    _, settings, _ = reform
    # 12 July 2025: H01's last quarter (due 15 July) is still owed by the district; the communes owe nothing yet
    assert reminders(settings, date(2025, 7, 12)) == {"H01": ({"2025Q2"}, {"vanthu@h01.example"})}
    # 12 October 2025: 2025Q3 (due 15 October) is the communes' (X101's file arrives on the 20th); H01 sent its own
    assert reminders(settings, date(2025, 10, 12)) == {
        "X101": ({"2025Q3"}, {"vanthu@x101.example"}),
        "X102": ({"2025Q3"}, {"vanthu@x102.example"}),
    }
    # 20 November 2025: X102 is overdue for 2025Q3; nothing is asked of H01 for a period after its end
    assert reminders(settings, date(2025, 11, 20)) == {"X102": ({"2025Q3"}, {"vanthu@x102.example"})}


def test_an_account_moves_to_a_successor_and_elsewhere_only_by_force(reform, tmp_path, monkeypatch, capsys):
    _, _, catalog = reform
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    monkeypatch.setenv("CHISO_CATALOG_DIR", str(catalog.directory))
    accounts = Accounts(load_settings().accounts)
    accounts.add("vanthu@h01.example", "H01")
    accounts.add("vanthu@cqcn.example", "CQ-CN")

    assert main(["accounts", "move", "--email", "vanthu@h01.example", "--to", "CQ-SO"]) == 2
    assert "CQ-SO is not a successor of H01, the unit of vanthu@h01.example (its successors: X101, X102)" in (
        capsys.readouterr().err
    )
    assert main(["accounts", "move", "--email", "vanthu@cqcn.example", "--to", "X101"]) == 2
    assert main(["accounts", "move", "--email", "vanthu@h01.example", "--to", "x102"]) == 0
    assert "moved vanthu@h01.example from unit H01 to unit X102 (Xã Một B)" in capsys.readouterr().out
    assert main(["accounts", "move", "--email", "vanthu@cqcn.example", "--to", "X101", "--force"]) == 0
    assert "forced: not a successor" in capsys.readouterr().out

    assert accounts.existing("vanthu@h01.example").unit_code == "X102"
    assert [move[:4] for move in accounts.moves()] == [
        ("vanthu@h01.example", "H01", "X102", False),
        ("vanthu@cqcn.example", "CQ-CN", "X101", True),
    ]
    assert main(["accounts", "move", "--email", "vanthu@h01.example", "--to", "X102"]) == 2  # there already


def test_successors_are_followed_through_later_successions(tmp_path):
    folder = reform_catalog(tmp_path / "catalog")
    units = (
        (folder / "units.csv")
        .read_text(encoding="utf-8")
        .replace("X101,Xã Một A,commune,10,2025-07-01,\n", "X101,Xã Một A,commune,10,2025-07-01,2026-03-31\n")
    )
    (folder / "units.csv").write_text(units + "X201,Xã Mới,commune,10,2026-04-01,\n", encoding="utf-8")
    with (folder / "unit_successions.csv").open("a", encoding="utf-8") as rows:
        rows.write("X101,X201,rename,2026-04-01,1,whole,1,exact,Nghị quyết thử,\n")
    assert successors_of(Catalog(folder), "H01") == ["X101", "X102", "X201"]
    assert successors_of(Catalog(folder), "X102") == []


def test_approval_and_official_figures_follow_the_unit_in_force_on_each_side(reform):
    # The district approves its last quarter and the commune its first; the province accepts both: each
    # slot is the reporting unit's own, so the official figures run on across the day of the change.
    _, settings, _ = reform
    slots = [Slot("CDS-HUYEN", "H01", "2025Q2"), Slot("CDS-XA", "X101", "2025Q3")]
    act_all(settings, [Step(slot, "approve", by="truong@h01.example") for slot in slots])
    act_all(settings, [Step(slot, "accept", by="chuyendoiso@laocai.example") for slot in slots])
    with connect_read_only(settings.warehouse) as db:
        states = db.execute(
            "select unit_code, period, state, official from slot_approvals"
            " where period in ('2025Q2', '2025Q3') order by period"
        ).fetchall()
        official = db.execute(
            "select unit_code, period, sum(value) from official_values"
            " where indicator_code = 'HS_TIEPNHAN' group by all order by period"
        ).fetchall()
    assert states == [("H01", "2025Q2", "accepted", True), ("X101", "2025Q3", "accepted", True)]
    assert official == [("H01", "2025Q2", 120), ("X101", "2025Q3", 120)]
