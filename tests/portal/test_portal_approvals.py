"""Approval on the portal and its API: who may act on what, actions queued for the one writer and answered,
two reviewers at once, the log, and values changed since approval shown old and new.

A real server (`chiso serve`) and the writer as deployed for the portal's actions (`Writer`: takes the
queued requests and publishes); the portal itself never writes the warehouse.
"""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest
from portal_helpers import (
    CLERK_026,
    CLERK_027,
    PASSWORD,
    PROVINCE,
    Server,
    Writer,
    api,
    browser_page,
    csrf_of,
    logged_in,
    make_home,
    run_inbox,
)

from builders import PROJECT_ROOT, csv_bytes, district_report
from chiso import arrivals
from chiso.approval import Slot, slot_states
from portal.accounts import Accounts
from warehouse.db import connect_read_only

APPROVER_026 = "truongphong.026@dongvan.example.vn"
APPROVER_027 = "truongphong.027@meovac.example.vn"
SECOND_REVIEWER = "phophong@tinh.example.vn"
SLOT_026 = Slot("DP-HUYEN", "026", "2017Q1")
SLOT_027 = Slot("DP-HUYEN", "027", "2017Q1")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = make_home(tmp_path_factory.mktemp("approvals"))
    accounts = Accounts(home.settings.accounts)
    for email, unit, role in (
        (APPROVER_026, "026", "unit"),
        (APPROVER_027, "027", "unit"),
        (SECOND_REVIEWER, "02", "province"),
    ):
        account = accounts.add(email, unit, role)
        accounts.set_password(account.account_id, PASSWORD)
        home.tokens[email] = accounts.new_api_token(account.account_id)
        if role == "unit":
            accounts.grant(email, "approver")
    return home


@pytest.fixture(scope="module")
def server(home):
    writer = Writer(home.settings)
    running = Server(home)
    yield running
    running.stop()
    writer.stop()


def _states(home) -> dict[tuple[str, str, str], str]:
    with connect_read_only(home.settings.snapshot) as db:
        return {(r["dataset_code"], r["unit_code"], r["period"]): r["state"] for r in slot_states(db)}


def _log(home) -> list[tuple]:
    with connect_read_only(home.settings.snapshot) as db:
        return db.execute("select unit_code, action, by_email from approval_log order by action_id").fetchall()


def _act(server, email: str, slot: Slot, action: str, **body) -> httpx.Response:
    return api(server, email).post(
        f"/api/v1/approvals/{slot.dataset_code}/{slot.period}", json={"action": action, **body}
    )


def test_who_may_act_on_what_and_nothing_is_queued_for_a_refusal(server, home):
    clerk = api(server, CLERK_026).get("/api/v1/approvals").json()
    assert {(s["unit_code"], s["state"]) for s in clerk} == {("026", "received")}
    assert clerk[0]["actions"] == []  # a clerk sends, it does not approve
    assert api(server, APPROVER_026).get("/api/v1/approvals").json()[0]["actions"] == ["approve"]
    assert {s["unit_code"] for s in api(server, PROVINCE).get("/api/v1/approvals").json()} == {"026", "027", "SKHCN"}

    assert _act(server, CLERK_026, SLOT_026, "approve").status_code == 403  # a clerk cannot approve
    assert _act(server, APPROVER_027, SLOT_026, "approve", unit_code="026").status_code == 404  # unit B's: unseen
    assert _act(server, APPROVER_026, SLOT_026, "accept").status_code == 403  # a unit cannot accept
    assert _act(server, PROVINCE, SLOT_026, "approve", unit_code="026").status_code == 403  # nor the province approve
    assert _act(server, PROVINCE, SLOT_026, "accept").status_code == 404  # a province token names the unit
    assert _act(server, APPROVER_026, SLOT_026, "sign").status_code == 422
    assert _act(server, APPROVER_026, SLOT_026, "approve", reason="x" * 1001).status_code == 422
    assert arrivals.waiting_requests(home.settings.inbox) == []
    assert _log(home) == []


def test_approve_then_accept_through_the_api_and_the_log_says_who(server, home):
    approved = _act(server, APPROVER_026, SLOT_026, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["outcome"] == "done"
    assert approved.json()["actions"][0] | {"acted_at": None} == approved.json()["actions"][0] | {
        "action": "approve",
        "state": "approved",
        "by_email": APPROVER_026,
        "unit_code": "026",
        "acted_at": None,
    }
    refused = _act(server, PROVINCE, SLOT_026, "return", unit_code="026")  # no reason
    assert refused.status_code == 409
    assert "lý do" in refused.json()["vi"] and "reason" in refused.json()["en"]
    assert _act(server, PROVINCE, SLOT_026, "accept", unit_code="026").status_code == 200
    assert _states(home)[("DP-HUYEN", "026", "2017Q1")] == "accepted"
    slot = api(server, CLERK_026).get("/api/v1/approvals?period=2017").json()[0]
    assert (slot["state"], slot["official"], slot["locked"], slot["last_action_by"]) == (
        "accepted",
        True,
        True,
        PROVINCE,
    )
    log = api(server, CLERK_026).get("/api/v1/approvals/log").json()
    assert [(a["action"], a["by_email"]) for a in log] == [("accept", PROVINCE), ("approve", APPROVER_026)]
    assert api(server, CLERK_027).get("/api/v1/approvals/log").json() == []  # another unit's log: unseen


def test_two_reviewers_at_once_get_one_result_and_one_refusal(server, home):
    assert _act(server, APPROVER_027, SLOT_027, "approve").status_code == 200
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        accept = pool.submit(_act, server, PROVINCE, SLOT_027, "accept", unit_code="027")
        give_back = pool.submit(
            _act, server, SECOND_REVIEWER, SLOT_027, "return", unit_code="027", reason="Thiếu số liệu"
        )
        answers = [accept.result(), give_back.result()]
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["outcome"] == "refused" and refused["vi"] and refused["en"]
    taken = [row for row in _log(home) if row[0] == "027" and row[1] in ("accept", "return")]
    assert len(taken) == 1


def test_a_request_is_answered_to_its_asker_only(server, home):
    done = _act(server, PROVINCE, SLOT_026, "reopen", unit_code="026", reason="Đơn vị xin sửa số liệu")
    request_id = done.json()["request_id"]
    assert api(server, PROVINCE).get(f"/api/v1/approval-requests/{request_id}").json()["outcome"] == "done"
    assert api(server, SECOND_REVIEWER).get(f"/api/v1/approval-requests/{request_id}").status_code == 404
    assert api(server, CLERK_026).get("/api/v1/approval-requests/..%2F..%2Faccounts").status_code == 404


def test_the_pages_approve_and_show_values_changed_since_approval(server, home):
    approver = logged_in(server, APPROVER_026)
    page = approver.get("/approvals")
    assert page.status_code == 200, server.log_text()
    assert 'value="approve"' in page.text  # reopened above: received again
    posted = approver.post(
        "/approvals",
        data={"csrf_token": csrf_of(page.text), "action": "approve", "slot": "DP-HUYEN|026|2017Q1", "period": "all"},
    )
    assert posted.status_code == 303
    answer = approver.get(posted.headers["location"])
    assert answer.status_code == 200, server.log_text()
    assert "Đã ghi 1 thao tác" in answer.text and "1 action recorded" in answer.text

    # A corrected file after the approval: the slot is received again, the changed value old and new.
    changed = district_report("026", "2017Q1").setting("NV_GIAO", "99")
    sent = api(server, CLERK_026).post("/api/v1/submissions", files={"file": ("sua.csv", csv_bytes(changed))})
    assert sent.status_code == 202
    run_inbox(home)
    slot = api(server, APPROVER_026).get("/api/v1/approvals").json()[0]
    assert (slot["state"], slot["changed_since_approval"], slot["actions"]) == ("received", True, ["approve"])
    assert {(c["indicator_code"], c["value_now"]) for c in slot["changes"]} == {("NV_GIAO", 99.0)}
    assert "99" in approver.get("/approvals").text

    clerk = logged_in(server, CLERK_026)
    clerk_page = clerk.get("/approvals").text
    assert 'value="approve"' not in clerk_page  # the states, without the buttons
    forged = clerk.post(
        "/approvals", data={"csrf_token": csrf_of(clerk_page), "action": "approve", "slot": "DP-HUYEN|026|2017Q1"}
    )
    assert forged.status_code == 403


def _send(page, server, path) -> None:
    page.goto(f"{server.url}/")
    page.set_input_files("#file", str(path))
    page.click("button[value=send]")
    assert "Đã nhận tệp" in page.inner_text("main")


def _card(page, slot_key: str):
    return page.locator("li.card", has=page.locator(f'input[name=slot][value="{slot_key}"]')).first


def test_in_a_browser_approve_return_fix_approve_accept_then_locked(browser, server, home, tmp_path):
    key = "DP-HUYEN|026|2017Q3"
    first = tmp_path / "DP-HUYEN_026_2017Q3.csv"
    first.write_bytes(csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", 4)))
    clerk = browser_page(browser, server, CLERK_026)
    _send(clerk, server, first)
    run_inbox(home)

    approver = browser_page(browser, server, APPROVER_026)
    approver.goto(f"{server.url}/approvals?period=2017Q3")
    assert approver.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    _card(approver, key).locator("button[value=approve]").click()
    assert "Đã ghi 1 thao tác" in approver.inner_text("main")

    province = browser_page(browser, server, PROVINCE)
    province.goto(f"{server.url}/approvals?period=2017Q3")
    card = _card(province, key)
    card.locator("textarea[name=reason]").fill("Số nhiệm vụ được giao chưa khớp với quyết định của tỉnh")
    card.locator("button[value=return]").click()
    assert "Đã ghi 1 thao tác" in province.inner_text("main")

    approver.goto(f"{server.url}/approvals?period=2017Q3")
    returned = _card(approver, key).inner_text()
    assert "Tỉnh trả lại" in returned and "chưa khớp với quyết định" in returned

    fixed = tmp_path / "DP-HUYEN_026_2017Q3 (da sua).csv"
    fixed.write_bytes(csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", 3)))
    _send(clerk, server, fixed)
    run_inbox(home)
    approver.goto(f"{server.url}/approvals?period=2017Q3")
    _card(approver, key).locator("button[value=approve]").click()
    assert "Đã ghi 1 thao tác" in approver.inner_text("main")

    province.goto(f"{server.url}/approvals?period=2017Q3")
    _card(province, key).locator("label.tick input").check()
    province.click("#accept-many button[value=accept]")
    assert "Đã ghi 1 thao tác" in province.inner_text("main")
    assert "Tỉnh đã chấp nhận" in province.inner_text("#accepted")
    assert _states(home)[("DP-HUYEN", "026", "2017Q3")] == "accepted"

    late = tmp_path / "DP-HUYEN_026_2017Q3 (lan 3).csv"
    late.write_bytes(csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", 5)))
    _send(clerk, server, late)
    run_inbox(home)
    clerk.reload()
    refused = clerk.locator("article.file", has_text="(lan 3).csv").inner_text()
    assert "Bị từ chối" in refused and "đã khóa" in refused and "mở lại" in refused
    for page in (clerk, approver, province):
        page.context.close()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/approvals/log", "/api/v1/approvals/DP-HUYEN/2017Q1", "/approvals"])
def test_no_route_edits_the_log(server, home, method, path):
    before = _log(home)
    answer = api(server, PROVINCE).request(method, path, json={"action": "accept", "unit_code": "026"})
    assert answer.status_code == 405
    assert _log(home) == before


def test_the_log_is_only_ever_appended_to():
    # every statement of the code that writes the log: the one insert of an action, the rebuild appending a
    # backup's actions to a new warehouse, and the cut of a temporary copy back to a past publication
    writes = []
    for path in [*PROJECT_ROOT.glob("*/**/*.sql"), *PROJECT_ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8").lower()
        writes += [(path.name, verb) for verb in ("update approval_log", "delete from approval_log") if verb in text]
        if "insert into approval_log" in text:
            writes.append((path.name, "insert"))
    assert sorted(writes) == [
        ("rebuild.py", "insert"),
        ("record_action.sql", "insert"),
        ("trim_to_publication.sql", "delete from approval_log"),
    ]
