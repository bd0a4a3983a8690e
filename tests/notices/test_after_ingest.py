"""After an ingest, each unit gets one message from a real SMTP server: every reason, in both languages, once."""

from __future__ import annotations

import html
import os
import subprocess
import sys

import duckdb

from builders import AS_OF, csv_bytes, department_report, district_report, write, xlsx_bytes
from chiso.context import RunContext
from chiso.notices.run import notify_after_ingest
from chiso.pipeline import ingest_paths
from core.settings import load_settings
from letters import PORTAL, by_unit, parts, write_accounts
from mailserver import MailServer, free_port
from portal.directory import PortalAccounts


def inbox(root) -> None:
    """A refused file (three reasons), a late one, one with a formula-like note, a clean one, a PDF."""
    refused = department_report().setting("NV_CUTHE", -1).setting("NV_GIAO", 2.5)
    write(root / "BC quý 2 - Sở KHCN.csv", csv_bytes(refused), received="2017-07-05 09:00")
    write(root / "syt.xlsx", xlsx_bytes(department_report("SYT")), received="2017-07-20 09:00")
    noted = district_report().with_rows(
        (r[0], r[1], r[2], "=Dự toán" if r[0] == "KP_BOTRI" else r[3]) for r in district_report().rows
    )
    write(root / "dong van.csv", csv_bytes(noted), received="2017-07-06 09:00")
    write(root / "meo vac.csv", csv_bytes(district_report("027")), received="2017-07-06 10:00")
    write(root / "scan <script>.pdf", b"%PDF-1.4", received="2017-07-07 09:00")


def reasons_of(settings, file_name: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as db:
        return db.execute(
            "select message_vi, message_en, source_rows, offending_values from findings"
            " join submission_records using (submission_id) where file_name = ? and severity = 'critical'",
            [file_name],
        ).fetchall()


def ledger(settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as db:
        return db.execute(
            "select kind, unit_code, dataset_code, period, sent_at is not null from notices order by all"
        ).fetchall()


def test_each_unit_gets_one_message_with_every_reason_in_both_languages(told, mail_server, tmp_path):
    inbox(tmp_path / "inbox")
    write_accounts(
        told.accounts,
        [
            ("hoa.nguyen@skhcn.hagiang.example", "SKHCN", "unit", "Nguyễn Thị Hoà", None),
            ("cu@skhcn.hagiang.example", "SKHCN", "unit", "Người cũ", "2017-03-01T00:00:00"),
            ("lanh.dao@ubnd.tuyenquang.example", "08", "province", "Lãnh đạo UBND tỉnh", None),
        ],
    )
    ingest_paths([tmp_path / "inbox"], RunContext.of(told, as_of=AS_OF))
    summary = notify_after_ingest(told, accounts=PortalAccounts(told.accounts))

    assert summary["messages"] == {"ingest": 3, "unattributed": 1} and summary["waiting"] == 0
    messages = by_unit(mail_server.messages)
    assert sorted(messages) == [
        "026",
        "08",
        "SKHCN",
        "SYT",
    ]  # the clean file of 027 owes nothing; 08: the plan in force's province
    skhcn = messages["SKHCN"]
    assert skhcn["Subject"] == "Sở Khoa học và Công nghệ: 1 tệp bị từ chối"
    assert {(a.display_name, a.addr_spec) for a in skhcn["To"].addresses} == {
        ("Văn thư Sở Khoa học và Công nghệ", "vanthu@skhcn.hagiang.example"),
        ("Phòng Quản lý khoa học, Sở Khoa học và Công nghệ", "baocao.khcn@skhcn.hagiang.example"),
        ("Nguyễn Thị Hoà", "hoa.nguyen@skhcn.hagiang.example"),
    }
    envelope = next(r for r in mail_server.mailbox.received if r.message["X-Chiso-Unit"] == "SKHCN")
    assert sorted(envelope.rcpt_tos) == sorted(a.addr_spec for a in skhcn["To"].addresses)
    # Replies go to the catalog's province role addresses, never to a portal login (lanh.dao@ is one).
    assert [a.addr_spec for a in skhcn["Reply-To"].addresses] == [
        "bcd.dotpha@ubnd.hagiang.example",  # every address of the province role: old Hà Giang's and 08's
        "giamsat@skhcn.hagiang.example",
        "bcd.khcn@ubnd.tuyenquang.example",
        "giamsat@skhcn.tuyenquang.example",
    ]
    assert skhcn.get_content_type() == "multipart/alternative"
    text, page = parts(skhcn)
    page = html.unescape(page)
    reasons = reasons_of(told, "BC quý 2 - Sở KHCN.csv")
    assert len(reasons) == 3  # rule 6 twice, and rule 9 for the pair the negative count breaks
    for vi, en, rows, values in reasons:
        for part in (text, page):
            assert vi in part and en in part
            assert ", ".join(map(str, rows)) in part and ", ".join(values) in part
    for part in (text, page):
        assert "BC quý 2 - Sở KHCN.csv" in part and PORTAL in part
        assert "Gửi lại tệp đã sửa tại" in part and "Send the corrected file at" in part
    assert f'<a href="{PORTAL}/units/SKHCN#due">' in parts(skhcn)[1]

    late_text, _ = parts(messages["SYT"])
    assert messages["SYT"]["Subject"] == "Sở Y tế: 1 báo cáo nộp muộn"
    assert "sau hạn nộp 10/07/2017 10 ngày" in late_text and "10 days after the due date 10/07/2017" in late_text
    assert (
        "=Dự toán" in parts(messages["026"])[0]
        and "Ghi chú giống công thức / Formula-like note" in parts(messages["026"])[0]
    )

    province = messages["08"]
    assert {a.addr_spec for a in province["To"].addresses} == {
        "bcd.dotpha@ubnd.hagiang.example",  # every address of the province role: old Hà Giang's and 08's
        "giamsat@skhcn.hagiang.example",
        "bcd.khcn@ubnd.tuyenquang.example",
        "giamsat@skhcn.tuyenquang.example",
        "lanh.dao@ubnd.tuyenquang.example",
    }
    province_text, province_page = parts(province)
    assert "scan <script>.pdf" in province_text
    assert "<script>" not in province_page and "scan &lt;script&gt;.pdf" in province_page  # text, never markup

    assert notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {}
    assert len(mail_server.messages) == 4  # nothing twice
    assert ledger(told) == [
        ("late", "SYT", "DP-SN", "2017Q2", True),
        ("rejected", "SKHCN", "DP-SN", "2017Q2", True),
        ("unattributed", "08", "", "", True),
        ("warnings", "026", "DP-HUYEN", "2017Q2", True),
    ]


def test_the_next_run_tells_only_what_it_brought(told, mail_server, tmp_path):
    write(tmp_path / "a" / "syt.csv", csv_bytes(department_report("SYT").setting("NV_GIAO", -3)), received="2017-07-05")
    ingest_paths([tmp_path / "a"], RunContext.of(told, as_of=AS_OF))
    notify_after_ingest(told, accounts=PortalAccounts(told.accounts))
    fixed = department_report("SYT")
    write(tmp_path / "b" / "syt again.csv", csv_bytes(fixed.setting("NV_CUTHE", "mười")), received="2017-07-06")
    ingest_paths([tmp_path / "b"], RunContext.of(told, as_of=AS_OF))
    notify_after_ingest(told, accounts=PortalAccounts(told.accounts))
    first, second = mail_server.messages
    assert "syt.csv" in parts(first)[0] and "syt.csv" not in parts(second)[0]
    assert "syt again.csv" in parts(second)[0] and "«mười»" in parts(second)[0]


def test_a_refusal_already_fixed_says_there_is_nothing_more_to_do(told, mail_server, tmp_path):
    write(tmp_path / "in" / "a.csv", csv_bytes(department_report().setting("NV_GIAO", -3)), received="2017-07-05")
    write(tmp_path / "in" / "b.csv", csv_bytes(department_report()), received="2017-07-06")
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=AS_OF))
    notify_after_ingest(told, accounts=PortalAccounts(told.accounts))
    text, _ = parts(mail_server.messages[0])
    assert "Đơn vị đã gửi lại tệp «b.csv»" in text and "nothing more to do" in text
    assert "Send the corrected file" not in text


def test_a_mail_server_down_for_one_run_gets_everything_on_the_next(tmp_path):
    port = free_port()
    settings = load_settings(home=tmp_path / "home", smtp_url=f"smtp://127.0.0.1:{port}?timeout=2")
    inbox(tmp_path / "inbox")
    ingest_paths([tmp_path / "inbox"], RunContext.of(settings, as_of=AS_OF))

    down = notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
    assert down["messages"] == {} and down["waiting"] == 4 and "ConnectionRefusedError" in down["errors"][0]
    assert ledger(settings) == []  # nothing recorded, nothing claimed: all of it waits

    server = MailServer(port).start()
    try:
        up = notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
        again = notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
    finally:
        server.stop()
    assert up["messages"] == {"ingest": 3, "unattributed": 1} and again["messages"] == {}
    assert sorted(m["X-Chiso-Unit"] for m in server.messages) == ["026", "08", "SKHCN", "SYT"]


def test_a_crash_between_send_and_record_repeats_that_message_once_and_loses_nothing(told, mail_server, tmp_path):
    inbox(tmp_path / "inbox")
    ingest_paths([tmp_path / "inbox"], RunContext.of(told, as_of=AS_OF))
    code = (
        "from chiso.notices.run import notify_after_ingest; from core.settings import load_settings;"
        " from portal.directory import PortalAccounts; settings = load_settings();"
        " notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))"
    )
    env = {
        **os.environ,
        "CHISO_HOME": str(told.home),
        "CHISO_SMTP_URL": told.smtp_url,
        "CHISO_FAULT": "notices.delivered:1:kill",
    }
    killed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    [first] = [m["X-Chiso-Unit"] for m in mail_server.messages]

    # The dead notifier's claims hold for the lease: a notifier right after it sends nothing twice.
    assert notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {}
    # Once the lease is over its items are owed again: the one message already accepted goes once more.
    leased = load_settings(home=told.home, smtp_url=told.smtp_url, notice_lease_minutes=0)
    after_lease = notify_after_ingest(leased, accounts=PortalAccounts(leased.accounts))
    assert sum(after_lease["messages"].values()) == 4
    units = [m["X-Chiso-Unit"] for m in mail_server.messages]
    assert sorted(set(units)) == ["026", "08", "SKHCN", "SYT"] and units.count(first) == 2 and len(units) == 5
    assert notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {}
