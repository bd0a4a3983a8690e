"""What a hostile client meets: security headers everywhere, nothing internal in an answer, no path
from a file name to the disk, no upload served back, CSRF tokens."""

from __future__ import annotations

import re
import shutil

import httpx
import pytest
from portal_helpers import CLERK_026, PROVINCE, api, logged_in, page_csrf

from builders import csv_bytes, district_report

LEAKS = re.compile(r"Traceback|File \"|\.py\b|/tmp/|/work/|duckdb|sqlite|select |IOException", re.IGNORECASE)


def _assert_headers(answer: httpx.Response) -> None:
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy  # no script at all, none inline
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "server" not in answer.headers


def test_every_kind_of_answer_carries_the_security_headers(server):
    clerk = logged_in(server, CLERK_026)
    answers = [
        clerk.get("/"),
        clerk.get("/static/portal.css"),
        clerk.get("/no/such/page"),
        clerk.put("/"),
        clerk.get("/templates/DP-HUYEN/2017Q3"),
        httpx.get(f"{server.url}/"),
        httpx.get(f"{server.url}/api/v1/obligations"),
        httpx.get(f"{server.url}/api/v1/openapi.json"),
        api(server, CLERK_026).get("/api/v1/submissions/abc"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 405, 200, 303, 401, 200, 422]
    for answer in answers:
        _assert_headers(answer)
    assert "input" not in answers[-1].text  # a validation error names the field, never echoes what was sent
    assert answers[-1].json()["errors"][0]["loc"] == ["path", "send_id"]


def test_the_report_allows_its_own_styles_by_hash_and_still_no_script(server):
    answer = logged_in(server, PROVINCE).get("/report")
    assert answer.status_code == 200 and "<script" not in answer.text
    policy = answer.headers["content-security-policy"]
    assert re.search(r"style-src 'unsafe-hashes' 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert logged_in(server, CLERK_026).get("/report").status_code == 403


def test_a_file_name_is_text_never_markup_nor_a_path(server, home):
    clerk = logged_in(server, CLERK_026)
    token = page_csrf(clerk)
    hostile = '<img src=x onerror="alert(1)">.csv'
    checked = clerk.post("/dry-run", data={"csrf_token": token}, files={"file": (hostile, b"<html><script>1</script>")})
    assert checked.status_code == 200 and checked.headers["content-type"].startswith("text/html")
    assert "<img" not in checked.text and "&lt;img src=x onerror=" in checked.text

    data = csv_bytes(district_report("026", "2016Q1"))
    for name in ("../../../../escape.csv", "..\\..\\escape.csv", "/etc/cron.d/escape.csv", "a\x00b\nc.csv"):
        assert clerk.post("/send", data={"csrf_token": token}, files={"file": (name, data)}).status_code == 303
    landed = home.inbox_files()
    assert len(landed) == 4 and all(re.fullmatch(r"portal-\d{7}-026-[0-9a-f]{8}\.csv", p.name) for p in landed)
    assert not list(home.root.parent.glob("**/escape.csv"))
    for path in landed:
        path.unlink()


def test_no_route_serves_an_upload_back(server, home):
    clerk = logged_in(server, CLERK_026)
    answer = clerk.post(
        "/send", data={"csrf_token": page_csrf(clerk)}, files={"file": ("page.csv", b"<script>alert(1)</script>")}
    )
    assert answer.status_code == 303
    shown = clerk.get(answer.headers["location"])
    assert shown.status_code == 200 and "<script>" not in shown.text  # the send's page: its name as text
    (landed,) = home.inbox_files()
    for path in (f"/{landed.name}", f"/inbox/{landed.name}", f"/static/../inbox/{landed.name}", "/static/x.csv"):
        assert clerk.get(path).status_code == 404
    listed = api(server, CLERK_026).get("/api/v1/submissions")
    assert listed.headers["content-type"] == "application/json" and "<script>" not in listed.text
    landed.unlink()


def test_forms_need_the_session_token(server):
    clerk = logged_in(server, CLERK_026)
    data = {"file": ("a.csv", csv_bytes(district_report("026", "2016Q2")))}
    assert clerk.post("/dry-run", data={"csrf_token": "forged"}, files=data).status_code == 403
    assert clerk.post("/logout", data={}).status_code == 403
    other = logged_in(server, "vanthu.027@meovac.example.vn")
    assert clerk.post("/dry-run", data={"csrf_token": page_csrf(other)}, files=data).status_code == 403


@pytest.fixture
def broken_snapshot(home):
    """The snapshot replaced by bytes DuckDB cannot open: the server fails, and must not say how."""
    snapshot = home.settings.snapshot
    kept = snapshot.with_name("kept.duckdb")
    shutil.copy2(snapshot, kept)
    snapshot.chmod(0o644)
    snapshot.write_bytes(b"not a database" * 100)
    yield
    shutil.copy2(kept, snapshot)


def test_a_server_failure_says_nothing_internal(server, broken_snapshot):
    page = logged_in(server, CLERK_026).get("/")
    assert page.status_code == 500 and "Máy chủ gặp lỗi" in page.text and "The server failed" in page.text
    _assert_headers(page)
    answer = api(server, CLERK_026).get("/api/v1/obligations")
    assert answer.status_code == 500 and answer.json()["en"].startswith("The server failed")
    _assert_headers(answer)
    for text in (page.text, answer.text):
        assert not LEAKS.search(text), LEAKS.search(text)
    assert "IOException" in server.log_text() or "duckdb" in server.log_text().lower()  # logged server-side
