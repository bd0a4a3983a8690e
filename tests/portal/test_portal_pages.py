"""A clerk's pages over real HTTP: log in, what is due, check a file, send it, see the verdict."""

from __future__ import annotations

import io
import re
import sqlite3
from html import unescape

import httpx
import pytest
from openpyxl import load_workbook
from portal_helpers import (
    CLERK_026,
    MAX_FILE_BYTES,
    PASSWORD,
    PRIVATE_FILE,
    csrf_of,
    logged_in,
    page_csrf,
    run_inbox,
)

from builders import csv_bytes, department_report, district_report
from chiso.checker import check_file
from chiso.context import RunContext


def test_login_needs_the_form_token_and_the_right_password(server):
    browser = httpx.Client(base_url=server.url, timeout=30)
    assert browser.get("/").headers["location"] == "/login"
    form = browser.get("/login")
    no_token = browser.post("/login", data={"email": CLERK_026, "password": PASSWORD})
    assert no_token.status_code == 403 and "hết hạn" in no_token.text
    wrong = browser.post("/login", data={"email": CLERK_026, "password": "sai", "csrf_token": csrf_of(form.text)})
    assert wrong.status_code == 401 and "Sai thư điện tử hoặc mật khẩu" in wrong.text and "Wrong e-mail" in wrong.text
    right = browser.post("/login", data={"email": CLERK_026, "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "chiso_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_logins_are_rate_limited_per_address(server):
    browser = httpx.Client(base_url=server.url, timeout=30)
    token = csrf_of(browser.get("/login").text)
    email = "vanthu.029@quanba.example.vn"
    statuses = [
        browser.post("/login", data={"email": email, "password": f"sai {n}", "csrf_token": token}).status_code
        for n in range(5)
    ]
    assert statuses == [401] * 5
    limited = browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Quá nhiều lần đăng nhập sai" in limited.text and "Too many failed logins" in limited.text


def test_logout_ends_the_session(server):
    clerk = logged_in(server, CLERK_026)
    assert clerk.post("/logout", data={"csrf_token": page_csrf(clerk)}).status_code == 303
    assert clerk.get("/").headers["location"] == "/login"


@pytest.fixture(scope="module")
def clerk(server):
    return logged_in(server, CLERK_026)


def test_the_home_page_shows_what_is_due_every_verdict_and_its_reasons(clerk):
    page = clerk.get("/").text
    assert "Huyện Đồng Văn (026)" in page and "Reporting unit 026" in page
    # What is due, from completeness: 2017Q1 accepted on time, 2017Q2 only a rejected file, the rest missing.
    assert '<tr class="on_time">' in page and '<li class="card rejected_only">' in page
    assert '<li class="card missing">' in page
    assert 'href="/templates/DP-HUYEN/2017Q3"' in page and 'href="/templates/CNTT-NAM/2017"' in page
    # The rejected file with its reason in both languages, the rows named.
    assert PRIVATE_FILE in page and "quy tắc 6" in page and "rule 6" in page and "dòng 4" in page
    assert "không phải là số" in page and "is not a number" in page


def test_the_template_downloads_as_the_units_workbook(clerk):
    answer = clerk.get("/templates/DP-HUYEN/2017Q3")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["content-disposition"] == 'attachment; filename="DP-HUYEN_026_2017Q3.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    assert "026" in [str(cell.value) for row in sheet.iter_rows() for cell in row]
    assert clerk.get("/templates/DP-SN/2017Q3").status_code == 404  # a department's form


def test_a_dry_run_gives_the_verdict_chiso_validate_gives(clerk, home, tmp_path):
    broken = csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", "ba").without("KP_BOTRI"))
    path = tmp_path / "thu.csv"
    path.write_bytes(broken)
    expected = check_file(path, RunContext.of(home.settings))
    answer = clerk.post("/dry-run", data={"csrf_token": page_csrf(clerk)}, files={"file": ("thu.csv", broken)})
    assert answer.status_code == 200
    assert expected.status == "rejected" and len(expected.reasons) == 2
    for reason in expected.reasons:
        assert reason.vi.split(":")[0] in answer.text and reason.en.split(":")[0] in answer.text
    assert "Bị từ chối" in answer.text and "Tệp chưa được gửi" in answer.text
    assert home.inbox_files() == []  # nothing stored


def test_a_send_lands_once_in_the_inbox_and_its_verdict_follows_the_ingest(clerk, home):
    data = csv_bytes(district_report("026", "2017Q3"))
    answer = clerk.post("/send", data={"csrf_token": page_csrf(clerk)}, files={"file": ("../../Q3 dong van.csv", data)})
    assert answer.status_code == 303 and answer.headers["location"] == "/sends/1"
    answer = clerk.get("/sends/1")
    assert answer.status_code == 200 and "Đã nhận tệp" in answer.text and "Q3 dong van.csv" in answer.text
    (landed,) = home.inbox_files()
    assert landed.name.startswith("portal-0000001-026-") and landed.suffix == ".csv"
    assert landed.read_bytes() == data
    assert list((home.settings.inbox / ".portal").iterdir()) == []
    with sqlite3.connect(home.settings.accounts) as db:
        row = db.execute("select unit_code, client_file_name, inbox_name, size_bytes from sends").fetchone()
    assert row == ("026", "Q3 dong van.csv", landed.name, len(data))
    # Not loaded yet: the verdict it got at once, marked as such, with the warning the loader will give.
    for shown in (clerk.get("/").text, clerk.get("/sends/1").text):
        item = shown[shown.index("Q3 dong van.csv") :][:3000]
        assert "Được chấp nhận" in item and "tạm thời, đang nạp vào kho" in item and "Report for 2017Q3" in item
    assert clerk.get("/sends/1").status_code == 200 and len(home.inbox_files()) == 1  # a reload sends nothing

    run_inbox(home)
    page = clerk.get("/").text
    item = page[page.index("Q3 dong van.csv") :][:1500]
    assert "Được chấp nhận" in item and "DP-HUYEN · 026 · 2017Q3" in item
    assert landed.name not in page  # the clerk's own name, never the portal's inbox name
    warnings = page[page.index('id="warnings"') :]
    assert "Report for 2017Q3 received on" in warnings  # long after the due date: a warning on an accepted file
    judged = clerk.get("/sends/1").text
    assert "Được chấp nhận" in judged and landed.name not in judged
    assert "đã được kho xác nhận" in judged and "đang nạp" not in judged


def test_a_unit_cannot_send_another_units_report(clerk, home):
    other = csv_bytes(department_report("SKHCN", "2017Q3"))
    answer = clerk.post("/send", data={"csrf_token": page_csrf(clerk)}, files={"file": ("skhcn.csv", other)})
    assert answer.status_code == 403
    assert "báo cáo của đơn vị «SKHCN»" in answer.text and "report of unit 'SKHCN'" in unescape(answer.text)
    assert home.inbox_files() == []
    checked = clerk.post("/dry-run", data={"csrf_token": page_csrf(clerk)}, files={"file": ("skhcn.csv", other)})
    assert "báo cáo của đơn vị «SKHCN»" in checked.text and "Bị từ chối" in checked.text


def test_an_unsupported_type_is_refused_with_rule_1(clerk, home):
    token = page_csrf(clerk)
    checked = clerk.post("/dry-run", data={"csrf_token": token}, files={"file": ("scan.pdf", b"%PDF-1.4")})
    assert "Định dạng tệp '.pdf' không được chấp nhận" in unescape(checked.text) and "quy tắc 1" in checked.text
    sent = clerk.post("/send", data={"csrf_token": token}, files={"file": ("scan.pdf", b"%PDF-1.4")})
    assert sent.status_code == 422 and "'.pdf' is not accepted" in unescape(sent.text)
    assert home.inbox_files() == []


def test_the_size_limit_holds_while_the_upload_streams(clerk, home):
    token = page_csrf(clerk)
    declared = clerk.post(
        "/send", data={"csrf_token": token}, files={"file": ("big.csv", b"x" * (MAX_FILE_BYTES + 70_000))}
    )
    assert declared.status_code == 413 and f"{MAX_FILE_BYTES:,}" in declared.text

    def chunks():  # no Content-Length: only counting the stream can stop it
        yield b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            yield b"y" * 65536

    streamed = clerk.post("/send", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    assert home.inbox_files() == []


def test_a_form_without_its_token_is_refused(clerk, home):
    answer = clerk.post("/send", files={"file": ("a.csv", csv_bytes(district_report("026", "2017Q4")))})
    assert answer.status_code == 403 and home.inbox_files() == []


_KEPT = re.compile(r'name="kept" value="([^"]+)"')


def test_a_reload_of_the_send_address_goes_home(clerk):
    answer = clerk.get("/send")
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_file_checked_good_is_sent_from_its_verdict_without_choosing_it_again(server, clerk, home):
    staging = home.settings.inbox / ".portal"
    data = csv_bytes(district_report("026", "2018Q1"))
    checked = clerk.post("/dry-run", data={"csrf_token": page_csrf(clerk)}, files={"file": ("Q1 2018.csv", data)})
    assert checked.status_code == 200 and "Được chấp nhận" in checked.text and "Gửi tệp này" in checked.text
    kept = _KEPT.search(checked.text)[1]
    (staged,) = staging.iterdir()  # kept under the staging folder's naming: <server pid>-<random>.<ext>
    assert re.fullmatch(r"\d+-[0-9a-f]{32}\.csv", staged.name) and staged.read_bytes() == data
    assert home.inbox_files() == []
    # Another session of the same account cannot use it (the id is bound to the session).
    other = logged_in(server, CLERK_026)
    refused = other.post("/send", data={"csrf_token": page_csrf(other), "kept": kept})
    assert refused.status_code == 410 and "chọn lại tệp" in refused.text
    sent = clerk.post("/send", data={"csrf_token": page_csrf(clerk), "kept": kept})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/sends/")
    (landed,) = home.inbox_files()
    assert landed.read_bytes() == data and list(staging.iterdir()) == []
    assert "Q1 2018.csv" in clerk.get(sent.headers["location"]).text
    again = clerk.post("/send", data={"csrf_token": page_csrf(clerk), "kept": kept})  # once only
    assert again.status_code == 410 and len(home.inbox_files()) == 1
    # A rejected check keeps nothing and offers no send.
    broken = csv_bytes(district_report("026", "2018Q2").setting("NV_GIAO", "ba"))
    refused = clerk.post("/dry-run", data={"csrf_token": page_csrf(clerk)}, files={"file": ("x.csv", broken)})
    assert "Bị từ chối" in refused.text and not _KEPT.search(refused.text) and list(staging.iterdir()) == []
    run_inbox(home)


def test_the_home_page_starts_with_what_is_owed_and_folds_the_history(clerk):
    page = clerk.get("/").text
    order = [page.index(f'id="{section}"') for section in ("owed", "files", "check-send", "history")]
    assert order == sorted(order)
    owed = page[page.index('id="owed"') : page.index('id="files"')]
    # What is owed only: never a report received; each with its countdown or its delay, and its template.
    assert "quá hạn" in owed and "Đúng hạn" not in owed and "DP-HUYEN</abbr> · 2017Q1" not in owed
    assert "DP-HUYEN</abbr> · 2017Q2" in owed  # rejected only: still owed
    assert 'href="/templates/DP-HUYEN/2016Q1"' in owed and 'href="#check-send"' in owed
    done = page[page.index('id="due"') :]
    assert '<tr class="on_time">' in done and "đã nhận ngày 05/04/2017" in done and "received on 05/04/2017" in done
    assert "<details" in page[page.index('id="history"') :]
