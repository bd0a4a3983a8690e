"""Notices of approval through a real SMTP server: a returned report told to its unit's clerk and
approvers once, with the reason and the portal's approvals; the digest's reports awaiting acceptance
and changed since approval; the approver's reminder after the data set's approve_within_days, once."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from markupsafe import escape

from builders import csv_bytes, department_report, write
from chiso.approval import Slot, act
from chiso.context import RunContext
from chiso.notices import kinds
from chiso.notices.run import claim_scheduled, deliver, notify_after_ingest, record
from chiso.pipeline import ingest_paths
from core.catalog import Catalog
from letters import PORTAL, parts
from portal.accounts import Accounts
from portal.directory import PortalAccounts

CLERK = "vanthu.portal@sct.hagiang.example"
APPROVER = "giamdoc@sct.hagiang.example"
REVIEWER = "thamdinh@skhcn.hagiang.example"
CATALOG_SCT = "vanthu@sct.hagiang.example"  # catalog/contacts.csv: the unit's office
REASON = "NV_CUTHE does not match the last quarter's report; please check it."
SCT_Q2 = Slot("DP-SN", "SCT", "2017Q2")


@pytest.fixture(autouse=True)
def without_unit_reminders():
    """The units' reminders left out of these daily passes (test_reminders.py has them): their
    pre-filled templates, one for each report every unit owes, take most of a pass's time."""
    registered = kinds.every()
    kinds.unregister("reminder")
    yield
    for kind in registered:  # back as they were, in their order
        kinds.unregister(kind.name)
    for kind in registered:
        kinds.register(kind)


def remind(settings, day: date) -> dict:
    accounts = PortalAccounts(settings.accounts)
    return record(deliver(claim_scheduled(settings, day, accounts=accounts), settings, accounts=accounts), settings)


def of_kind(messages, kind: str) -> list:
    return [message for message in messages if message["X-Chiso-Notice"] == kind]


def addressees(message) -> set[str]:
    return {address.addr_spec for address in message["To"].addresses}


def accounts_of_sct(settings) -> None:
    """SCT's clerk, its head (an account of the unit with the approver role granted), and a
    reviewer of the province; and another unit's approver, who is told nothing of SCT."""
    accounts = Accounts(settings.accounts)
    accounts.add(CLERK, "SCT", name="Văn thư cổng SCT")
    accounts.add(APPROVER, "SCT", name="Giám đốc Sở Công Thương")
    accounts.grant(APPROVER, "approver")
    accounts.add("giamdoc@syt.hagiang.example", "SYT", name="Giám đốc Sở Y tế")
    accounts.grant("giamdoc@syt.hagiang.example", "approver")
    accounts.add(REVIEWER, "02", role="province", name="Nguyễn Thẩm Định")


def test_a_returned_report_tells_the_clerk_and_the_approver_once_with_the_reason_and_the_link(
    told, mail_server, tmp_path
):
    accounts_of_sct(told)
    write(tmp_path / "in" / "sct.csv", csv_bytes(department_report("SCT")), received="2017-07-05 09:00")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))
    act(told, SCT_Q2, "approve", by=APPROVER)
    returned = act(told, SCT_Q2, "return", by=REVIEWER, reason=REASON)

    # Claimed by whichever notify runs first: here the one after an ingest.
    assert notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {"returned": 1}
    [message] = mail_server.messages
    assert message["X-Chiso-Unit"] == "SCT" and message["Subject"] == "Sở Công Thương: 1 báo cáo bị tỉnh trả lại"
    assert addressees(message) == {CATALOG_SCT, CLERK, APPROVER}
    assert message["Reply-To"] is not None and REVIEWER not in str(message["Reply-To"])
    text, page = parts(message)
    assert f"Lý do / Reason: {REASON}" in text and escape(REASON) in page
    assert "DP-SN — Báo cáo quý thực hiện nhiệm vụ đột phá (sở, ngành) / Quarterly report" in text
    assert "Kỳ báo cáo / Period: 2017Q2" in text
    when = returned["acted_at"].strftime("%d/%m/%Y %H:%M")
    assert f"Trả lại bởi Nguyễn Thẩm Định lúc {when}" in text and f"Returned by Nguyễn Thẩm Định on {when}" in text
    assert REVIEWER not in text and REVIEWER not in page  # the reviewer by name, never by login
    assert f"{PORTAL}/approvals" in text and f'href="{PORTAL}/approvals"' in page
    assert "sct.csv" in text

    with duckdb.connect(str(told.warehouse), read_only=True) as db:
        assert db.execute(
            "select kind, unit_code, dataset_code, period, run_id, sent_at is not null from notices"
            " where message_kind = 'returned'"
        ).fetchall() == [("returned", "SCT", "DP-SN", "2017Q2", str(returned["action_id"]), True)]
    mail_server.mailbox.received.clear()
    assert notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {}
    remind(told, date(2017, 7, 6))
    assert of_kind(mail_server.messages, "returned") == []  # told once: the daily notify owes it no more

    # A second return of the slot is a new matter: told again, once.
    act(told, SCT_Q2, "approve", by=APPROVER)
    act(told, SCT_Q2, "return", by=REVIEWER, reason="Still wrong.")
    mail_server.mailbox.received.clear()
    remind(told, date(2017, 7, 7))
    [again] = of_kind(mail_server.messages, "returned")
    assert "Still wrong." in parts(again)[0] and REASON not in parts(again)[0]


def test_the_digest_lists_the_reports_awaiting_acceptance_and_those_changed_since_approval(told, mail_server, tmp_path):
    write(tmp_path / "in" / "sct.csv", csv_bytes(department_report("SCT")), received="2017-07-05 09:00")
    write(tmp_path / "in" / "skhcn.csv", csv_bytes(department_report("SKHCN")), received="2017-07-05 10:00")
    write(tmp_path / "in" / "syt.csv", csv_bytes(department_report("SYT")), received="2017-07-05 11:00")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))
    for unit in ("SCT", "SKHCN"):
        act(told, Slot("DP-SN", unit, "2017Q2"), "approve", by=CATALOG_SCT)
    # SKHCN sends other values after its approval: changed since approval, no more awaiting acceptance.
    changed = department_report("SKHCN").setting("TT_TIN", 13)
    write(tmp_path / "fix" / "skhcn sua.csv", csv_bytes(changed), received="2017-07-06 08:00")
    ingest_paths([tmp_path / "fix"], RunContext.of(told, as_of=date(2017, 7, 7)))

    remind(told, Catalog(told.catalog_dir).today())
    [digest] = of_kind(mail_server.messages, "digest")
    text, page = parts(digest)
    awaiting = (
        "Báo cáo đơn vị đã phê duyệt, chờ tỉnh chấp nhận (1) / Reports approved by their unit, awaiting acceptance (1)"
    )
    changed_title = (
        "Báo cáo có số liệu thay đổi sau khi đơn vị phê duyệt (1)"
        " / Reports whose values changed after their unit approved them (1)"
    )
    assert awaiting in text and changed_title in text
    section = text.split(awaiting)[1].split(changed_title)[0]
    assert "Sở Công Thương (SCT) · DP-SN 2017Q2" in section and "SKHCN" not in section and "SYT" not in section
    changed_section = text.split(changed_title)[1]
    assert "(SKHCN) · DP-SN 2017Q2" in changed_section.splitlines()[2]
    assert "tệp mới nhận ngày 06/07/2017" in changed_section
    assert f"{PORTAL}/approvals" in text and f'href="{PORTAL}/approvals"' in page
    assert "chờ tỉnh chấp nhận (1)" in page and "Sở Công Thương (SCT)" in page


def test_the_approver_is_reminded_after_the_data_sets_approve_within_days_once_per_file(told, mail_server, tmp_path):
    accounts_of_sct(told)
    # DP-SN: approve_within_days 10 (catalog/datasets.csv); the file came on 5 July.
    write(tmp_path / "in" / "sct.csv", csv_bytes(department_report("SCT")), received="2017-07-05 09:00")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=date(2017, 7, 6)))

    remind(told, date(2017, 7, 15))  # 10 days: within what the data set allows
    assert of_kind(mail_server.messages, "approval_reminder") == []

    remind(told, date(2017, 7, 16))
    [reminder] = of_kind(mail_server.messages, "approval_reminder")
    assert reminder["X-Chiso-Unit"] == "SCT"
    assert reminder["Subject"] == "Sở Công Thương: nhắc phê duyệt báo cáo — 1 báo cáo chờ phê duyệt quá hạn"
    assert addressees(reminder) == {APPROVER, CATALOG_SCT}  # the approver (and the unit's office), not the clerk
    text, page = parts(reminder)
    assert "Kỳ báo cáo / Period: 2017Q2" in text and "sct.csv" in text
    assert "Tệp nhận ngày 05/07/2017, chờ phê duyệt 11 ngày; hạn phê duyệt 15/07/2017." in text
    assert "to be approved by 15/07/2017" in page
    assert f"{PORTAL}/approvals" in text and f'href="{PORTAL}/approvals"' in page

    mail_server.mailbox.received.clear()
    remind(told, date(2017, 7, 17))
    assert of_kind(mail_server.messages, "approval_reminder") == []  # once per slot and file in force

    # A newer file starts the wait again: reminded 10 days after it, not before.
    changed = department_report("SCT").setting("TT_TIN", 13)
    write(tmp_path / "fix" / "sct sua.csv", csv_bytes(changed), received="2017-07-20 09:00")
    ingest_paths([tmp_path / "fix"], RunContext.of(told, as_of=date(2017, 7, 20)))
    remind(told, date(2017, 7, 30))
    assert of_kind(mail_server.messages, "approval_reminder") == []
    remind(told, date(2017, 7, 31))
    [again] = of_kind(mail_server.messages, "approval_reminder")
    assert "sct sua.csv" in parts(again)[0]

    # Approved: waits no more for its unit, so no reminder however long it waits for the province.
    act(told, SCT_Q2, "approve", by=APPROVER)
    mail_server.mailbox.received.clear()
    remind(told, date(2017, 12, 31))
    assert of_kind(mail_server.messages, "approval_reminder") == []
