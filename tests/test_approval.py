"""Approval of a slot (issue 20): the state machine as declared (every allowed and every refused
transition), changed since approval, the lock and its reopening, the official figures, an action
applied once, and `chiso approval` — on a real warehouse, the files ingested as production does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace

import duckdb
import pytest

from builders import AS_OF, csv_bytes, department_report, write
from chiso.approval import ApprovalRefused, Slot, act
from chiso.context import RunContext
from chiso.pipeline import ingest_paths
from core.kinds import APPROVAL_ACTIONS, APPROVAL_STATES
from core.settings import load_settings
from portal.accounts import Accounts

REVIEWER, APPROVER = "sokhcn@tinh.example.vn", "truongphong@skhcn.example.vn"
# A slot in each state, reached by the actions the units and the province take.
PATHS = {
    "received": ("SKHCN", ()),
    "approved": ("SYT", ("approve",)),
    "accepted": ("SCT", ("approve", "accept")),
    "returned": ("STC", ("approve", "return")),
}
PERIOD = "2017Q2"


def slot(unit: str) -> Slot:
    return Slot("DP-SN", unit, PERIOD)


def ingest(settings, folder) -> dict[str, str]:
    done = ingest_paths([folder], RunContext.of(settings, as_of=AS_OF))
    return {verdict.file_name: verdict.status for verdict in done.verdicts}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One warehouse with a slot in each state; each test works on its own copy."""
    root = tmp_path_factory.mktemp("approval")
    settings = load_settings(home=root / "home")
    for unit, _ in PATHS.values():
        write(root / "in" / f"{unit}.csv", csv_bytes(department_report(unit, PERIOD)), received="2017-07-05 09:00")
    assert set(ingest(settings, root / "in").values()) == {"accepted"}
    for unit, actions in PATHS.values():
        for action in actions:
            act(settings, slot(unit), action, by=REVIEWER, reason="xem lại NV_CUTHE")
    return settings


@pytest.fixture
def settings(base, tmp_path):
    copy = tmp_path / "chiso.duckdb"
    shutil.copy(base.warehouse, copy)
    return replace(base, warehouse=copy, accounts=tmp_path / "accounts.sqlite3")


def states(settings) -> dict[str, dict]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        relation = connection.execute("select * from slot_approvals")
        columns = [column[0] for column in relation.description]
        return {row["unit_code"]: row for row in (dict(zip(columns, r)) for r in relation.fetchall())}


def test_each_slot_is_in_the_state_its_actions_led_to(settings):
    assert {unit: states(settings)[unit]["state"] for unit, _ in PATHS.values()} == {
        unit: state for state, (unit, _) in PATHS.items()
    }


@pytest.mark.parametrize("action", APPROVAL_ACTIONS.codes)
@pytest.mark.parametrize("state", APPROVAL_STATES.codes)
def test_an_action_is_taken_exactly_from_the_states_it_declares(settings, state, action):
    unit = PATHS[state][0]
    kind = APPROVAL_ACTIONS[action]
    if state in kind.from_states:
        done = act(settings, slot(unit), action, by=REVIEWER, reason="lý do")
        assert (done["state"], states(settings)[unit]["state"]) == (kind.to_state, kind.to_state)
    else:
        with pytest.raises(ApprovalRefused) as refused:
            act(settings, slot(unit), action, by=REVIEWER, reason="lý do")
        assert refused.value.text.vi and refused.value.text.en and refused.value.text.vi != refused.value.text.en
        assert states(settings)[unit]["state"] == state  # nothing recorded


def test_returning_and_reopening_need_a_reason(settings):
    with pytest.raises(ApprovalRefused, match="Give a reason to return"):
        act(settings, slot("SYT"), "return", by=REVIEWER, reason="  ")
    with pytest.raises(ApprovalRefused, match="Give a reason to reopen"):
        act(settings, slot("SCT"), "reopen", by=REVIEWER)


def test_a_slot_with_no_accepted_file_cannot_be_approved(settings):
    with pytest.raises(ApprovalRefused, match="No accepted report for SGTVT"):
        act(settings, slot("SGTVT"), "approve", by=APPROVER)


def test_a_newer_file_after_approval_is_changed_since_approval_and_cannot_be_accepted(settings, tmp_path):
    changed = csv_bytes(department_report("SYT", PERIOD).setting("NV_CUTHE", 99))
    write(tmp_path / "new" / "syt.csv", changed, received="2017-07-06 09:00")
    assert ingest(settings, tmp_path / "new") == {"syt.csv": "accepted"}
    now = states(settings)["SYT"]
    assert (now["state"], now["changed_since_approval"], now["last_action"]) == ("received", True, "approve")
    with pytest.raises(ApprovalRefused, match="values changed after the unit approved"):
        act(settings, slot("SYT"), "accept", by=REVIEWER)
    act(settings, slot("SYT"), "approve", by=APPROVER)  # the unit vouches for the new values
    assert (states(settings)["SYT"]["state"], states(settings)["SYT"]["changed_since_approval"]) == ("approved", False)
    act(settings, slot("SYT"), "accept", by=REVIEWER)


def test_an_accepted_slot_refuses_a_new_file_until_the_province_reopens_it(settings, tmp_path):
    fixed = csv_bytes(department_report("SCT", PERIOD).setting("NV_CUTHE", 7))
    write(tmp_path / "a" / "sct.csv", fixed, received="2017-07-06 09:00")
    assert ingest(settings, tmp_path / "a") == {"sct.csv": "rejected"}
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        reasons = connection.execute("select check_name, message_en from rejection_reasons").fetchall()
    assert [check for check, _ in reasons] == ["slot_locked"]
    assert "accepted by the province" in reasons[0][1] and "reopen" in reasons[0][1]
    act(settings, slot("SCT"), "reopen", by=REVIEWER, reason="đơn vị xin sửa số liệu")
    write(tmp_path / "b" / "sct.csv", fixed, received="2017-07-07 09:00")
    assert ingest(settings, tmp_path / "b") == {"sct.csv": "accepted"}
    assert states(settings)["SCT"]["state"] == "received"


def test_official_values_hold_only_accepted_slots(settings):
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        official = {row[0] for row in connection.execute("select distinct unit_code from official_values").fetchall()}
        received = {row[0] for row in connection.execute("select distinct unit_code from indicator_values").fetchall()}
    assert official == {"SCT"} and received == {unit for unit, _ in PATHS.values()}


def test_an_action_retried_with_its_request_id_is_recorded_once(settings):
    first = act(settings, slot("SKHCN"), "approve", by=APPROVER, request_id="portal-7f3a")
    again = act(settings, slot("SKHCN"), "approve", by=APPROVER, request_id="portal-7f3a")
    assert first == again
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        count = connection.execute("select count(*) from approval_log where request_id = 'portal-7f3a'").fetchone()
    assert count == (1,)


def test_the_log_keeps_who_when_why_and_the_values_vouched_for(settings):
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select action, by_email, reason, submission_id, values_digest from approval_log"
            " where unit_code = 'STC' order by action_id"
        ).fetchall()
    assert [(action, by) for action, by, *_ in rows] == [("approve", REVIEWER), ("return", REVIEWER)]
    assert all(submission and len(digest) == 32 for *_, submission, digest in rows)


def chiso(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CHISO_HOME": str(settings.home),
        "CHISO_WAREHOUSE": str(settings.warehouse),
        "CHISO_ACCOUNTS": str(settings.accounts),
    }
    return subprocess.run([sys.executable, "-m", "chiso.cli", *args], env=env, capture_output=True, text=True)


@pytest.fixture
def people(settings):
    """The province's reviewer, SYT's clerk who is also its approver (granted), SCT's approver, a clerk."""
    accounts = Accounts(settings.accounts)
    for unit, email, role in (
        ("02", REVIEWER, "reviewer"),  # the approval's word for the province's role
        ("SYT", APPROVER, "approver"),
        ("SCT", "truongphong@sct.example.vn", "approver"),
    ):
        assert chiso(settings, "accounts", "add", "--unit", unit, "--email", email, "--role", role).returncode == 0
    accounts.add("vanthu@syt.example.vn", "SYT", "unit")
    return accounts


def test_chiso_approval_acts_publishes_and_shows_the_states(settings, people):
    where = ["--unit", "SYT", "--dataset", "DP-SN", "--period", PERIOD]
    accepted = chiso(settings, "approval", "accept", *where, "--by", REVIEWER)
    assert accepted.returncode == 0, accepted.stderr
    assert "Accepted by the province" in accepted.stdout
    refused = chiso(settings, "approval", "withdraw", *where, "--by", APPROVER)
    assert refused.returncode == 1 and "Cannot withdraw the approval a report that is" in refused.stderr
    shown = chiso(settings, "approval", "status", "--unit", "SYT")
    assert shown.returncode == 0 and "SYT      DP-SN      2017Q2  accepted  accept by " + REVIEWER in shown.stdout


@pytest.mark.parametrize(
    ("action", "unit", "by"),
    [
        ("approve", "SKHCN", "vanthu@syt.example.vn"),  # a clerk cannot approve
        ("approve", "SKHCN", APPROVER),  # SYT's approver cannot act on another unit
        ("accept", "SYT", APPROVER),  # a unit cannot accept
        ("accept", "SYT", "nobody@example.vn"),  # no account
    ],
)
def test_an_action_needs_its_role_for_that_unit(settings, people, action, unit, by):
    before = states(settings)[unit]
    done = chiso(settings, "approval", action, "--unit", unit, "--dataset", "DP-SN", "--period", PERIOD, "--by", by)
    assert done.returncode == 1 and "does not hold the role" in done.stderr, done.stderr
    assert states(settings)[unit] == before  # nothing recorded


def test_a_units_approver_is_granted_on_top_of_its_account(settings, people):
    syt = people.by_email(APPROVER)
    assert syt is not None and people.granted(syt) == {"approver"} and syt.role == "unit"
    assert syt.approves("approver", "SYT", {"approver"}) and not syt.approves("approver", "SCT", {"approver"})
    assert not syt.approves("reviewer", "SYT", {"approver"})
    province = people.by_email(REVIEWER)
    assert province is not None and province.role == "province" and province.approves("reviewer", "SYT", set())
