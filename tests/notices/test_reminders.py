"""Reminders before and after due dates, and the weekly digest, through a real SMTP server: each once."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

from builders import PROJECT_ROOT, csv_bytes, department_report, write
from chiso.context import RunContext
from chiso.notices.run import claim_after_ingest, claim_scheduled, deliver, notify_after_ingest, record
from chiso.pipeline import ingest_paths
from core.catalog import Catalog
from core.settings import load_settings
from letters import by_unit, parts
from portal.directory import PortalAccounts


def week_of(day: date) -> str:
    """The ISO week the ledger knows a digest by (`owed_digest.sql` says it in SQL)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def remind(settings, day: date) -> dict:
    return record(
        deliver(
            claim_scheduled(settings, day, accounts=PortalAccounts(settings.accounts)),
            settings,
            accounts=PortalAccounts(settings.accounts),
        ),
        settings,
    )


def reports_in(text: str) -> list[str]:
    """The `Kỳ báo cáo / Period: …` lines of a reminder, in order."""
    return [line.split(": ")[1] for line in text.splitlines() if line.strip().startswith("Kỳ báo cáo / Period")]


def test_due_soon_from_the_catalogs_lead_time_then_overdue_each_once(told, mail_server, tmp_path):
    write(tmp_path / "in" / "skhcn.csv", csv_bytes(department_report("SKHCN", "2017Q2")), received="2017-07-05 09:00")
    write(
        tmp_path / "in" / "syt bad.csv",
        csv_bytes(department_report("SYT").setting("NV_GIAO", -1)),
        received="2017-07-05",
    )
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))

    # 6 July: DP-SN 2017Q2 is due on 10 July, reminders start 3 days before (datasets.csv): none yet.
    remind(told, date(2017, 7, 6))
    before = by_unit(mail_server.messages)
    assert "2017Q2" not in reports_in(parts(before["SCT"])[0])
    assert reports_in(parts(before["SCT"])[0])[:2] == ["2016Q1", "2016Q2"]  # the plan's earlier quarters: overdue
    # the latest four overdue reports' templates are attached; the others are on the portal
    attached = [part.get_filename() for part in before["SCT"].iter_attachments()]
    assert [name.split("_")[-1] for name in attached] == ["2017Q1.xlsx", "2016Q4.xlsx", "2016Q3.xlsx", "2016Q2.xlsx"]

    mail_server.mailbox.received.clear()
    remind(told, date(2017, 7, 7))
    due_soon = by_unit(mail_server.messages)
    assert "SKHCN" not in due_soon  # it sent an accepted report
    assert due_soon["SCT"]["Subject"] == "Sở Công Thương: nhắc nộp báo cáo — 1 báo cáo sắp đến hạn"
    text, page = parts(due_soon["SCT"])
    assert reports_in(text) == ["2017Q2"] and "Hạn nộp 10/07/2017: còn 3 ngày." in text and "3 days left" in page
    assert "Đã nhận 1 tệp nhưng đều bị từ chối." in parts(due_soon["SYT"])[0]  # refused only: still owed
    districts = [unit for unit in due_soon if unit.isdigit()]
    assert len(districts) == 11 and "02" not in due_soon  # DP-HUYEN too; no digest twice in a week

    mail_server.mailbox.received.clear()
    remind(told, date(2017, 7, 8))
    assert mail_server.messages == []  # nothing twice

    write(tmp_path / "late" / "sct.csv", csv_bytes(department_report("SCT")), received="2017-07-10 16:00")
    ingest_paths([tmp_path / "late"], RunContext.of(told, as_of=date(2017, 7, 11)))
    notify_after_ingest(told, accounts=PortalAccounts(told.accounts))
    mail_server.mailbox.received.clear()
    remind(told, date(2017, 7, 11))
    overdue = by_unit(mail_server.messages)
    assert "SCT" not in overdue and "SKHCN" not in overdue
    text = parts(overdue["SYT"])[0]
    assert overdue["SYT"]["Subject"] == "Sở Y tế: nhắc nộp báo cáo — 1 báo cáo quá hạn chưa nộp"
    assert reports_in(text) == ["2017Q2"] and "Hạn nộp 10/07/2017: đã quá 1 ngày." in text


def test_the_digest_goes_to_the_province_once_a_week_with_the_report(told, mail_server, tmp_path):
    write(
        tmp_path / "in" / "syt bad.csv",
        csv_bytes(department_report("SYT").setting("NV_GIAO", -1)),
        received="2017-07-05",
    )
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))
    told.reports.mkdir(parents=True)
    (told.reports / "report.html").write_text("<html>báo cáo</html>", encoding="utf-8")

    # Its week sections are what chiso learned that week (by day of ingestion, today): days around today.
    today = Catalog(told.catalog_dir).today()
    sunday = today + timedelta(days=6 - today.weekday())
    for day in (today, sunday, sunday + timedelta(days=1)):
        remind(told, day)
    digests = [m for m in mail_server.messages if m["X-Chiso-Notice"] == "digest"]
    assert [m["Subject"] for m in digests] == [
        f"Tổng hợp tuần {week_of(today)}: tình hình nộp báo cáo",
        f"Tổng hợp tuần {week_of(sunday + timedelta(days=1))}: tình hình nộp báo cáo",
    ]
    digest = digests[0]
    assert {a.addr_spec for a in digest["To"].addresses} == {
        "bcd.dotpha@ubnd.hagiang.example",  # every address of the province role: old Hà Giang's and 08's
        "giamsat@skhcn.hagiang.example",
        "bcd.khcn@ubnd.tuyenquang.example",
        "giamsat@skhcn.tuyenquang.example",
    }
    text, page = parts(digest)
    # every unit owes what fell due before today (the continuing plan runs to 2030): nothing was accepted
    catalog = Catalog(told.catalog_dir)
    due = {
        (dataset, period.code, unit)
        for dataset, row in catalog.datasets.items()
        for period in catalog.periods(row["period_type"])
        if catalog.due_date(dataset, period) < today
        for unit in catalog.units_submitting(dataset, period)
    }
    owing = len({unit for _, _, unit in due})
    latest = max(period for dataset, period, _ in due if dataset == "DP-SN")
    assert f"DP-SN {latest}" in text
    assert f"Đơn vị còn nợ báo cáo ({owing}) / Units with reports outstanding ({owing})" in text
    assert "syt bad.csv" in text and "Tệp bị từ chối trong 7 ngày qua (1)" in page
    assert "https://baocao.hagiang.example/report" in text and 'href="https://baocao.hagiang.example/report"' in page
    [attachment] = digest.iter_attachments()
    assert attachment.get_filename() == "report.html" and attachment.get_content().rstrip() == "<html>báo cáo</html>"


def test_a_unit_without_an_address_is_owed_until_it_has_one(tmp_path, mail_server):
    catalog = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", catalog)
    contacts = (catalog / "contacts.csv").read_text(encoding="utf-8")
    (catalog / "contacts.csv").write_text(
        "\n".join(line for line in contacts.splitlines() if not line.startswith("SYT,")) + "\n", encoding="utf-8"
    )
    settings = load_settings(home=tmp_path / "home", smtp_url=mail_server.url, catalog_dir=catalog)
    write(
        tmp_path / "in" / "syt bad.csv",
        csv_bytes(department_report("SYT").setting("NV_GIAO", -1)),
        received="2017-07-05",
    )
    ingest_paths([tmp_path / "in"], RunContext.of(settings, as_of=date(2018, 3, 1)))
    plan = claim_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
    assert plan["notices"] == [] and plan["unaddressed"] == [{"unit_code": "SYT", "message_kind": "ingest", "items": 1}]

    (catalog / "contacts.csv").write_text(contacts, encoding="utf-8")
    assert notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))["messages"] == {"ingest": 1}
    assert [m["X-Chiso-Unit"] for m in mail_server.messages] == ["SYT"]
