"""Notices lead somewhere: the file's or the report's page on the portal, the unit's template attached,
where to send without a portal; the clerk's own file names, dd/mm/yyyy dates, English plurals."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date

from openpyxl import load_workbook

from builders import csv_bytes, department_report, write
from chiso.context import RunContext
from chiso.notices.run import claim_scheduled, deliver, notify_after_ingest, record
from chiso.pipeline import ingest_paths
from core.catalog import Catalog
from core.settings import load_settings
from core.vocabulary import Text
from letters import PORTAL, by_unit, parts
from portal.accounts import Accounts
from portal.directory import PortalAccounts
from transforms.template.stamp import STAMP_SHEET

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def remind(settings, day: date) -> None:
    record(
        deliver(
            claim_scheduled(settings, day, accounts=PortalAccounts(settings.accounts)),
            settings,
            accounts=PortalAccounts(settings.accounts),
        ),
        settings,
    )


def province_addresses(settings) -> list[str]:
    catalog = Catalog(settings.catalog_dir)
    return [row["email"] for row in catalog.contacts if row["role"] == "province"]


def sent_through_the_portal(settings, inbox_name: str, client_name: str, unit: str) -> None:
    """A send of the portal's accounts file, as the portal records it (`sends`)."""
    accounts = Accounts(settings.accounts)
    account = accounts.add(f"vanthu@{unit.lower()}.example.vn", unit)
    with sqlite3.connect(settings.accounts) as db:
        db.execute(
            "insert into sends (send_id, account_id, unit_code, client_file_name, inbox_name, sha256, size_bytes,"
            " sent_at) values (1, ?, ?, ?, ?, 'x', 1, '2017-07-05T09:00:00')",
            [account.account_id, unit, client_name, inbox_name],
        )


def test_a_refusal_links_to_the_files_page_and_names_the_file_as_the_clerk_did(told, mail_server, tmp_path):
    inbox_name = "20170705-090000-skhcn-1.csv"  # the portal's name in the inbox
    refused = department_report("SKHCN").setting("NV_GIAO", -1)
    write(tmp_path / "in" / inbox_name, csv_bytes(refused), received="2017-07-05 09:00")
    write(tmp_path / "in" / "syt.csv", csv_bytes(department_report("SYT")), received="2017-07-11 09:00")
    sent_through_the_portal(told, inbox_name, "Báo cáo quý 2 (bản sửa).csv", "SKHCN")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 12)))
    notify_after_ingest(told, accounts=PortalAccounts(told.accounts))
    messages = by_unit(mail_server.messages)
    text, page = parts(messages["SKHCN"])
    assert "Báo cáo quý 2 (bản sửa).csv" in text and inbox_name not in text
    assert "Báo cáo quý 2 (bản sửa).csv" in page and inbox_name not in page
    link = f"{PORTAL}/units/SKHCN#files"
    assert f"The file and its verdict on the portal: {link}" in text and f'<a href="{link}">{link}</a>' in page
    assert f"Send the corrected file at: {PORTAL}/units/SKHCN#due" in text
    late_text, late_page = parts(messages["SYT"])
    assert "1 day after the due date 10/07/2017" in late_text and "Received on 11/07/2017" in late_text
    for part in (text, page, late_text, late_page):
        assert ISO_DATE.findall(part) == []  # one convention in every message: 10/07/2017


def test_a_reminder_attaches_each_reports_template_and_says_where_to_send_it(told, mail_server, tmp_path):
    write(tmp_path / "in" / "syt bad.csv", csv_bytes(department_report("SYT").setting("NV_GIAO", -1)), "2017-07-05")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))
    remind(told, date(2017, 7, 7))
    message = by_unit(mail_server.messages)["SCT"]
    owed = [
        line.split(": ")[1] for line in parts(message)[0].splitlines() if line.strip().startswith("Kỳ báo cáo / Period")
    ]
    attached = {part.get_filename(): part for part in message.iter_attachments()}
    # the report due soon and the latest overdue ones, four at most; the older ones from the portal
    due_soon, *overdue = owed
    assert due_soon == "2017Q2" and overdue == ["2016Q1", "2016Q2", "2016Q3", "2016Q4", "2017Q1"]
    assert sorted(attached) == sorted(f"DP-SN_SCT_{period}.xlsx" for period in [due_soon, *overdue[-3:]])
    template = attached["DP-SN_SCT_2017Q2.xlsx"]
    assert template.get_content_type() == XLSX
    workbook = load_workbook(io.BytesIO(template.get_content()))
    assert STAMP_SHEET in workbook.sheetnames
    cells = [cell for row in workbook.worksheets[0].iter_rows(max_row=12, values_only=True) for cell in row]
    assert "SCT" in cells and "2017Q2" in cells  # pre-filled with the unit and the period
    text, page = parts(message)
    assert "The template, pre-filled with the unit and period, is attached: DP-SN_SCT_2017Q2.xlsx" in text
    assert f"Download the template, pre-filled with the unit and period: {PORTAL}/templates/DP-SN/2017Q2" in text
    assert f"{PORTAL}/templates/DP-SN/2016Q1" in text and "attached: DP-SN_SCT_2016Q1.xlsx" not in text
    assert f"send it at {PORTAL}/units/SCT#due (the Send button), or e-mail it to: " in text
    assert province_addresses(told)[0] in text and f'<a href="{PORTAL}/units/SCT#due">' in page
    assert "usual channel" not in text and ISO_DATE.findall(text) == []
    assert "1 file received, all refused" in parts(by_unit(mail_server.messages)["SYT"])[0]


def test_without_a_portal_a_notice_says_plainly_where_to_send(tmp_path, mail_server):
    settings = load_settings(home=tmp_path / "home", smtp_url=mail_server.url, portal_url="")
    write(tmp_path / "in" / "syt bad.csv", csv_bytes(department_report("SYT").setting("NV_GIAO", -1)), "2017-07-05")
    ingest_paths([tmp_path / "in"], RunContext.of(settings, as_of=date(2017, 7, 6)))
    notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
    remind(settings, date(2017, 7, 7))
    refusal, reminder = [m for m in mail_server.messages if m["X-Chiso-Unit"] == "SYT"]
    to = ", ".join(province_addresses(settings))
    assert f"E-mail the corrected file to: {to}" in parts(refusal)[0]
    assert f"How to send: fill in the attached template and e-mail it to: {to}" in parts(reminder)[0]
    for message in (refusal, reminder):
        assert "usual channel" not in parts(message)[0] and "http" not in parts(message)[0]


def test_counts_are_grouped_the_vietnamese_way_and_english_says_one_file():
    from core.vocabulary import say

    assert say("notice.count_rejected", count=1) == Text("1 tệp bị từ chối", "1 file refused")
    assert say("notice.count_rejected", count=1234) == Text("1.234 tệp bị từ chối", "1.234 files refused")
    assert (
        say("notice.outstanding_unit", count=1, oldest_due=date(2017, 4, 10)).en
        == "1 report, the oldest due 10/04/2017"
    )
