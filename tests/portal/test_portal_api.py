"""The JSON API as a unit's own system uses it: bearer tokens, dry runs, sends, obligations, templates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import httpx
from portal_helpers import CLERK_026, api, run_inbox

from builders import csv_bytes, district_report
from chiso.checker import check_file
from chiso.context import RunContext
from chiso.receipts import read_receipt, receipt_path


def test_every_route_wants_a_valid_token(server):
    for method, path in [
        ("GET", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions/1"),
        ("GET", "/api/v1/obligations"),
        ("GET", "/api/v1/templates/DP-HUYEN/2017Q3"),
        ("POST", "/api/v1/dry-run"),
        ("POST", "/api/v1/submissions"),
    ]:
        for headers in ({}, {"authorization": "Bearer chiso_not-a-token"}, {"authorization": "Basic eDp5"}):
            answer = httpx.request(method, f"{server.url}{path}", headers=headers)
            assert answer.status_code == 401, (method, path, headers)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert answer.json()["vi"].startswith("Cần đăng nhập")


def test_a_dry_run_answers_the_verdict_with_every_reason(server, home, tmp_path):
    broken = csv_bytes(district_report("026", "2017Q3").setting("NV_TRIENKHAI", 5).setting("KP_GIAINGAN", -1))
    path = tmp_path / "q3.csv"
    path.write_bytes(broken)
    expected = check_file(path, RunContext.of(home.settings))
    answer = api(server, CLERK_026).post("/api/v1/dry-run", files={"file": ("q3.csv", broken, "text/csv")})
    assert answer.status_code == 200
    verdict = answer.json()
    assert verdict["status"] == "rejected" and verdict["file_name"] == "q3.csv"
    assert [(r["rule"], r["rows"], r["vi"], r["en"]) for r in verdict["reasons"]] == [
        (f.rule, f.rows, f.vi, f.en) for f in expected.reasons
    ]
    assert {r["rule"] for r in verdict["reasons"]} == {"6", "9"}
    assert home.inbox_files() == []


def test_a_units_dry_run_of_an_empty_file_says_it_cannot_be_read_and_not_that_it_is_another_units(server):
    """Judged in one batch with a readable file (two checks at once), an empty file's unit is none: it was
    pandas' NaN, which the portal read as unit 'NAN' and refused as another unit's report."""
    from concurrent.futures import ThreadPoolExecutor

    files = {"empty.csv": b"", "q2.csv": csv_bytes(district_report("026", "2017Q2"))}
    with ThreadPoolExecutor(2) as pool:
        answers = dict(
            pool.map(
                lambda item: (item[0], api(server, CLERK_026).post("/api/v1/dry-run", files={"file": item})),
                files.items(),
            )
        )
    empty = answers["empty.csv"].json()
    assert empty["status"] == "rejected" and empty["unit_code"] is None
    assert [r["check"] for r in empty["reasons"]] == ["unreadable"]
    assert answers["q2.csv"].json()["unit_code"] == "026"


def test_a_send_is_accepted_for_processing_and_its_verdict_follows(server, home):
    client = api(server, CLERK_026)
    data = csv_bytes(district_report("026", "2017Q4"))
    sent = client.post("/api/v1/submissions", files={"file": ("Q4.csv", data)})
    assert sent.status_code == 202
    body = sent.json()
    assert body["status"] == "pending" and body["file_name"] == "Q4.csv" and body["size_bytes"] == len(data)
    # The verdict at once (portal/provisional.py), the warehouse's to come.
    assert body["verdict_state"] == "being_loaded" and body["provisional"]["status"] == "accepted"
    assert [w["check"] for w in body["provisional"]["warnings"]] == ["late"]
    assert body["sent_at"].endswith("+07:00")  # ISO 8601 with the province's UTC offset
    send_id = body["id"]
    assert [s["id"] for s in client.get("/api/v1/submissions").json()] == [send_id]
    assert client.get(f"/api/v1/submissions/{send_id}").json()["status"] == "pending"

    run_inbox(home)
    judged = client.get(f"/api/v1/submissions/{send_id}").json()
    assert judged["status"] == "accepted" and judged["period"] == "2017Q4" and judged["submission_id"] > 0
    assert judged["file_name"] == "Q4.csv" and judged["received_at"].endswith("+07:00")
    assert [w["rule"] for w in judged["warnings"]] == ["late"]
    assert judged["verdict_state"] == "confirmed" and judged["replaced"] is None
    # Who sent it: the portal's record beside the file, read by the loader, kept in the stored file's receipt.
    with duckdb.connect(str(home.settings.warehouse), read_only=True) as warehouse:
        [(sent_by, stored)] = warehouse.execute(
            "select sent_by, stored_path from submission_records where submission_id = ?", [judged["submission_id"]]
        ).fetchall()
    receipt = read_receipt(receipt_path(Path(stored)))
    assert sent_by == receipt.sent_by == CLERK_026
    assert (receipt.sent["send_id"], receipt.sent["client_file_name"]) == (send_id, "Q4.csv")
    assert list((home.settings.inbox / ".senders").iterdir()) == []
    assert client.get("/api/v1/submissions/999999").status_code == 404
    assert client.get("/api/v1/submissions/99999999999999999999999").status_code == 404


def test_obligations_say_what_is_due_with_its_status(server):
    owed = api(server, CLERK_026).get("/api/v1/obligations").json()
    by_key = {(o["dataset_code"], o["period"]): o for o in owed}
    assert {o["unit_code"] for o in owed} == {"026"}
    assert by_key[("DP-HUYEN", "2017Q1")]["status"] == "on_time"
    assert by_key[("DP-HUYEN", "2017Q2")]["status"] == "rejected_only"
    assert by_key[("DP-HUYEN", "2016Q1")]["status"] == "missing"
    assert (
        by_key[("DP-HUYEN", "2016Q1")]["days_left"] < 0 and by_key[("DP-HUYEN", "2016Q1")]["due_date"] == "2016-04-10"
    )
    assert by_key[("CNTT-NAM", "2017")]["template"] == "/api/v1/templates/CNTT-NAM/2017"
    # A report received is done: no countdown, its receipt time with the province's offset instead.
    done = by_key[("DP-HUYEN", "2017Q1")]
    assert done["days_left"] is None and done["received_at"].startswith("2017-04-05T09:00:00")
    assert done["received_at"].endswith("+07:00")
    assert by_key[("DP-HUYEN", "2017Q2")]["days_left"] < 0 and by_key[("DP-HUYEN", "2017Q2")]["received_at"] is None


def test_templates_are_the_units_workbooks(server):
    client = api(server, CLERK_026)
    workbook = client.get("/api/v1/templates/CNTT-NAM/2017")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert workbook.headers["content-disposition"] == 'attachment; filename="CNTT-NAM_026_2017.xlsx"'
    refused = client.get("/api/v1/templates/DP-SN/2017Q1")
    assert refused.status_code == 404 and "DP-SN" in refused.json()["en"]


def test_the_schema_documents_every_route_and_the_bearer_scheme(server):
    schema = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/v1/dry-run",
        "/api/v1/submissions",
        "/api/v1/submissions/{send_id}",
        "/api/v1/obligations",
        "/api/v1/templates/{dataset}/{period}",
        "/api/v1/approvals",
        "/api/v1/approvals/log",
        "/api/v1/approvals/{dataset}/{period}",
        "/api/v1/approval-requests/{request_id}",
        "/api/v1/query",
    }
    assert schema["components"]["securitySchemes"]["unitToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A unit's API token, from `chiso accounts token --email ADDRESS`.",
    }
    upload = schema["paths"]["/api/v1/dry-run"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["file"]["format"] == "binary"
    assert schema["paths"]["/api/v1/submissions"]["post"]["responses"]["202"]
    assert httpx.get(f"{server.url}/docs").status_code == 404  # the interactive docs would need a CDN
