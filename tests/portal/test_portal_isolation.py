"""A unit never sees another unit's files, verdicts or reasons: every route, HTML and JSON, as unit 027.

Unit 026 has a rejected file (PRIVATE_FILE, PRIVATE_VALUE in its reason) and a send through the
API (SENT_NAME, its value SENT_VALUE in its reasons once ingested). Unit 027 then asks every
route with 026's ids and codes; nothing of 026's may come back. The route table must list every
route the application has, so a new route cannot escape this test.
"""

from __future__ import annotations

import re

import pytest
from portal_helpers import (
    CLERK_026,
    CLERK_027,
    PRIVATE_FILE,
    PRIVATE_VALUE,
    PROVINCE,
    api,
    logged_in,
    page_csrf,
    run_inbox,
)

from builders import csv_bytes, district_report
from portal.app import create_app

SENT_NAME = "gui-qua-api-026.csv"
SENT_VALUE = "gia-tri-rieng"
SECRETS = (PRIVATE_FILE, PRIVATE_VALUE, SENT_NAME, SENT_VALUE)
SLOT_OF_026 = "DP-HUYEN|026|2017Q1"


@pytest.fixture(scope="module")
def sent_by_026(server, home):
    data = csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", SENT_VALUE))
    answer = api(server, CLERK_026).post("/api/v1/submissions", files={"file": (SENT_NAME, data)})
    assert answer.status_code == 202
    run_inbox(home)
    return answer.json()["id"]


def _file_of_026() -> dict:
    return {"file": ("026.csv", csv_bytes(district_report("026", "2017Q4")))}


# (method, path as the application declares it) -> how unit 027 asks it, with unit 026's ids and codes.
PAGE_REQUESTS = {
    ("GET", "/"): lambda c, ids: c.get("/"),
    ("GET", "/units/{code}"): lambda c, ids: c.get("/units/026"),
    ("GET", "/templates/{dataset}/{period}"): lambda c, ids: c.get("/templates/DP-HUYEN/2017Q3?unit=026"),
    ("GET", "/report"): lambda c, ids: c.get("/report"),
    ("GET", "/login"): lambda c, ids: c.get("/login"),
    ("POST", "/login"): lambda c, ids: c.post("/login", data={"email": CLERK_026, "password": "x"}),
    ("POST", "/logout"): lambda c, ids: c.post("/logout", data={"csrf_token": "forged"}),
    ("GET", "/set-password/{link}"): lambda c, ids: c.get("/set-password/not-a-link"),
    ("GET", "/set-password"): lambda c, ids: c.get("/set-password"),
    ("POST", "/set-password"): lambda c, ids: c.post("/set-password", data={"csrf_token": "x"}),
    ("GET", "/account/password"): lambda c, ids: c.get("/account/password"),
    ("POST", "/account/password"): lambda c, ids: c.post("/account/password", data={"csrf_token": "forged"}),
    ("POST", "/dry-run"): lambda c, ids: c.post("/dry-run", data={"csrf_token": page_csrf(c)}, files=_file_of_026()),
    ("POST", "/send"): lambda c, ids: c.post("/send", data={"csrf_token": page_csrf(c)}, files=_file_of_026()),
    ("GET", "/send"): lambda c, ids: c.get("/send"),
    ("GET", "/sends/{send_id}"): lambda c, ids: c.get(f"/sends/{ids}"),
    ("GET", "/province/list"): lambda c, ids: c.get("/province/list?status=all&unit=026"),
    ("GET", "/province/list.{fmt}"): lambda c, ids: c.get("/province/list.csv?status=all&unit=026"),
    ("GET", "/province/overview.{fmt}"): lambda c, ids: c.get("/province/overview.xlsx"),
    ("GET", "/province/publications"): lambda c, ids: c.get("/province/publications"),
    ("GET", "/province/publications/{number}/{name}"): lambda c, ids: c.get("/province/publications/1/report.html"),
    ("GET", "/province/sql"): lambda c, ids: c.get("/province/sql?saved=1"),
    ("POST", "/province/sql"): lambda c, ids: c.post(
        "/province/sql", data={"csrf_token": page_csrf(c), "sql": "select * from submissions", "format": "csv"}
    ),
    ("POST", "/province/sql/saved"): lambda c, ids: c.post(
        "/province/sql/saved", data={"csrf_token": page_csrf(c), "title": "x", "sql": "select 1"}
    ),
    ("POST", "/province/sql/saved/{query_id}/delete"): lambda c, ids: c.post(
        "/province/sql/saved/1/delete", data={"csrf_token": page_csrf(c)}
    ),
    ("GET", "/province/snapshot.duckdb"): lambda c, ids: c.get("/province/snapshot.duckdb"),
    ("GET", "/province/lineage"): lambda c, ids: c.get("/province/lineage?dataset=DP-HUYEN&unit=026&period=2017Q2"),
    ("GET", "/static/portal.css"): lambda c, ids: c.get("/static/portal.css"),
    ("GET", "/healthz"): lambda c, ids: c.get("/healthz"),
    ("GET", "/approvals"): lambda c, ids: c.get("/approvals"),
    ("POST", "/approvals"): lambda c, ids: c.post(
        "/approvals", data={"csrf_token": page_csrf(c), "action": "approve", "slot": SLOT_OF_026}
    ),
}
API_REQUESTS = {
    ("GET", "/api/v1/submissions"): lambda c, ids: c.get("/api/v1/submissions"),
    ("GET", "/api/v1/submissions/{send_id}"): lambda c, ids: c.get(f"/api/v1/submissions/{ids}"),
    ("GET", "/api/v1/obligations"): lambda c, ids: c.get("/api/v1/obligations"),
    ("GET", "/api/v1/templates/{dataset}/{period}"): lambda c, ids: c.get("/api/v1/templates/DP-HUYEN/2017Q3"),
    ("POST", "/api/v1/dry-run"): lambda c, ids: c.post("/api/v1/dry-run", files=_file_of_026()),
    ("POST", "/api/v1/submissions"): lambda c, ids: c.post("/api/v1/submissions", files=_file_of_026()),
    ("GET", "/api/v1/openapi.json"): lambda c, ids: c.get("/api/v1/openapi.json"),
    ("GET", "/api/v1/approvals"): lambda c, ids: c.get("/api/v1/approvals"),
    ("GET", "/api/v1/approvals/log"): lambda c, ids: c.get("/api/v1/approvals/log"),
    ("POST", "/api/v1/approvals/{dataset}/{period}"): lambda c, ids: c.post(
        "/api/v1/approvals/DP-HUYEN/2017Q1", json={"action": "approve", "unit_code": "026"}
    ),
    ("GET", "/api/v1/approval-requests/{request_id}"): lambda c, ids: c.get(
        "/api/v1/approval-requests/00000000000000000001-aaaaaaaaaaaa"
    ),
    ("POST", "/api/v1/query"): lambda c, ids: c.post("/api/v1/query", json={"sql": "select * from submissions"}),
}


def test_the_route_table_covers_every_route_of_the_application(home):
    declared = {
        (method, route.path)
        for route in create_app(home.settings).routes
        for method in getattr(route, "methods", ()) or ()
        if method != "HEAD"
    }
    assert declared == set(PAGE_REQUESTS) | set(API_REQUESTS)


@pytest.mark.parametrize("route", PAGE_REQUESTS, ids=lambda r: f"{r[0]} {r[1]}")
def test_no_page_shows_another_units_files(server, sent_by_026, route):
    answer = PAGE_REQUESTS[route](logged_in(server, CLERK_027), sent_by_026)
    assert answer.status_code < 500
    assert not [secret for secret in SECRETS if secret in answer.text]
    if route in (("GET", "/units/{code}"), ("GET", "/templates/{dataset}/{period}"), ("GET", "/sends/{send_id}")):
        assert answer.status_code == 404
    if route[1].startswith("/province/"):
        assert answer.status_code == 403  # the province's desk
    if route == ("POST", "/send"):
        assert answer.status_code == 403  # 026's report, refused at upload
    if route == ("POST", "/approvals"):
        assert answer.status_code == 404  # 026's report: as if it did not exist
    if route == ("GET", "/approvals"):
        assert not re.search(r"(?<!\d)026(?!\d)", answer.text.replace("/api/v1", ""))  # the unit, not 2026


@pytest.mark.parametrize("route", API_REQUESTS, ids=lambda r: f"{r[0]} {r[1]}")
def test_no_api_route_answers_another_units_files(server, sent_by_026, route):
    answer = API_REQUESTS[route](api(server, CLERK_027), sent_by_026)
    assert answer.status_code < 500
    assert not [secret for secret in SECRETS if secret in answer.text]
    if route == ("GET", "/api/v1/submissions/{send_id}"):
        assert answer.status_code == 404
    if route in (("GET", "/api/v1/obligations"), ("GET", "/api/v1/approvals"), ("GET", "/api/v1/approvals/log")):
        assert {o["unit_code"] for o in answer.json()} <= {"027"}
    if (route[1].startswith("/api/v1/approvals/") and route[0] == "POST") or "{request_id}" in route[1]:
        assert answer.status_code == 404
    if route == ("POST", "/api/v1/query"):
        assert answer.status_code == 403  # the analysts' desk is the province's


def test_the_unit_itself_and_the_province_see_them(server, sent_by_026):
    own = logged_in(server, CLERK_026).get("/").text
    assert all(secret in own for secret in SECRETS)
    assert api(server, CLERK_026).get(f"/api/v1/submissions/{sent_by_026}").json()["file_name"] == SENT_NAME
    province = logged_in(server, PROVINCE)
    assert all(secret in province.get("/units/026").text for secret in SECRETS)
    overview = province.get("/").text
    assert SENT_NAME in overview and CLERK_026 in overview  # who sent what
    assert api(server, PROVINCE).get(f"/api/v1/submissions/{sent_by_026}").status_code == 200
