"""Approval actions across crashes and races (issue 20: one writer, nothing lost).

Crash: a real `chiso approval accept --request-id R` is SIGKILLed at each of its fault points (inside
`chiso.approval.act_all` before the commit and after it, and in the command after the action, before
the snapshot is published), then the same command is run again with the same request id: the action is
in the log exactly once, the warehouse opens, the slot is accepted, and the snapshot shows it.

Race: two reviewers act on one slot at the same moment, in two `chiso approval` processes started
together: one action is taken, the other is refused with a reason in both languages, and the log holds
only the one taken. The writer lock serialises them; the second then finds the slot no longer approved.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import duckdb
import pytest

from builders import AS_OF, PROJECT_ROOT, csv_bytes, department_report, write
from chiso.approval import ApprovalRefused, Slot, act
from chiso.context import RunContext
from chiso.pipeline import ingest_paths, publish_snapshot
from core.settings import load_settings
from portal.accounts import Accounts

pytestmark = pytest.mark.slow

REVIEWERS = ("sokhcn@tinh.example.vn", "ubnd@tinh.example.vn")
APPROVER = "truongphong@skhcn.example.vn"
UNIT, DATASET, PERIOD = "SKHCN", "DP-SN", "2017Q2"
WHERE = ("--unit", UNIT, "--dataset", DATASET, "--period", PERIOD)
# Where `chiso approval` can die: in act_all before its commit and after it, and after the action
# before the snapshot is published (core/faults.py; docs/reliability.md).
FAULT_POINTS = ["approval.before_commit", "approval.committed", "approval.before_publish"]


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """A published warehouse whose one slot the unit has approved; two reviewers' accounts."""
    home = tmp_path_factory.mktemp("approval-seed") / "home"
    settings = load_settings(home=home)
    write(home.parent / "in" / "skhcn.csv", csv_bytes(department_report(UNIT, PERIOD)), received="2017-07-05 09:00")
    done = ingest_paths([home.parent / "in"], RunContext.of(settings, as_of=AS_OF))
    assert [verdict.status for verdict in done.verdicts] == ["accepted"]
    act(settings, Slot(DATASET, UNIT, PERIOD), "approve", by=APPROVER)
    publish_snapshot(settings)
    accounts = Accounts(settings.accounts)
    for email in REVIEWERS:
        accounts.add(email, "02", "province")
    return home


@pytest.fixture
def home(seed, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(seed, copy)
    return copy


def start(rel, home, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "chiso.cli", "approval", *args],
        cwd=PROJECT_ROOT,
        env=rel.chiso_env(home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(rel, home, *args: str, **env: str) -> subprocess.CompletedProcess:
    process = start(rel, home, *args, **env)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def slot_state(path) -> str:
    with duckdb.connect(str(path), read_only=True) as db:  # opens: replays what a killed writer left
        return db.execute("select state from slot_approvals where unit_code = ?", [UNIT]).fetchone()[0]


def log_rows(home, **where: str) -> list[tuple]:
    condition = " and ".join(f"{column} = ?" for column in where) or "true"
    with duckdb.connect(str(home / "warehouse" / "chiso.duckdb"), read_only=True) as db:
        sql = f"select action, by_email, request_id from approval_log where {condition} order by action_id"
        return db.execute(sql, list(where.values())).fetchall()


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_killed_approval_then_retried_with_its_request_id_is_applied_once(rel, home, point):
    accept = ("accept", *WHERE, "--by", REVIEWERS[0], "--request-id", "portal-42")
    killed = run(rel, home, *accept, CHISO_FAULT=f"{point}:kill")
    assert killed.returncode == -9, f"{point} was never reached: {killed.stderr}"
    warehouse, snapshot = home / "warehouse" / "chiso.duckdb", home / "warehouse" / "snapshot" / "chiso.duckdb"
    committed = point != "approval.before_commit"
    assert len(log_rows(home, request_id="portal-42")) == int(committed)
    assert slot_state(warehouse) == ("accepted" if committed else "approved")
    assert slot_state(snapshot) == "approved"  # never published by the killed run

    retried = run(rel, home, *accept)
    assert retried.returncode == 0, retried.stderr
    assert log_rows(home, request_id="portal-42") == [("accept", REVIEWERS[0], "portal-42")]
    assert log_rows(home, action="accept") == [("accept", REVIEWERS[0], "portal-42")]
    assert (slot_state(warehouse), slot_state(snapshot)) == ("accepted", "accepted")


@pytest.mark.parametrize("second", ["accept", "return"])
def test_two_reviewers_acting_on_one_slot_at_once_get_one_result_and_one_refusal(rel, home, second):
    actions = {REVIEWERS[0]: "accept", REVIEWERS[1]: second}
    # Whichever takes the writer lock first holds it a second inside its transaction, so the other
    # surely arrives while the first is mid-action (a refused action never reaches that point).
    hold = {"CHISO_FAULT": "approval.before_commit:sleep1"}
    processes = {
        by: start(rel, home, action, *WHERE, "--by", by, "--reason", "NV_CUTHE cần xem lại", **hold)
        for by, action in actions.items()
    }
    results = {by: (process.wait(timeout=300), *process.communicate()) for by, process in processes.items()}
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 1], results
    (winner,) = [by for by, (code, _, _) in results.items() if code == 0]
    (loser,) = [by for by, (code, _, _) in results.items() if code == 1]
    refusal = results[loser][2]
    # The second finds the slot accepted or returned by the first: a refusal in both languages.
    assert "Không thể" in refusal and "Cannot" in refusal and "Traceback" not in refusal, refusal
    assert [(action, by) for action, by, _ in log_rows(home, unit_code=UNIT) if action != "approve"] == [
        (actions[winner], winner)
    ]
    expected = {"accept": "accepted", "return": "returned"}[actions[winner]]
    assert slot_state(home / "warehouse" / "snapshot" / "chiso.duckdb") == expected


def test_two_threads_accepting_one_slot_get_one_row_and_one_refusal(home):
    """The same race inside one process (the portal's queue calling act_all from two workers)."""
    settings = load_settings(home=home)
    barrier, outcomes = threading.Barrier(2), {}

    def accept(by: str) -> None:
        barrier.wait()
        try:
            outcomes[by] = act(settings, Slot(DATASET, UNIT, PERIOD), "accept", by=by)["state"]
        except ApprovalRefused as refused:
            outcomes[by] = refused.text

    threads = [threading.Thread(target=accept, args=(by,)) for by in REVIEWERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    taken = [by for by, outcome in outcomes.items() if outcome == "accepted"]
    (refusal,) = [outcome for outcome in outcomes.values() if outcome != "accepted"]
    assert len(taken) == 1 and "Cannot accept" in refusal.en and "Không thể" in refusal.vi
    assert [(action, by) for action, by, _ in log_rows(home, action="accept")] == [("accept", taken[0])]


def take_requests(rel, home, **env: str) -> subprocess.CompletedProcess:
    """The writer taking the portal's queued requests, as `chiso inbox` does (the DAG's task: the same function)."""
    code = "from core.settings import load_settings; from chiso.approval.requests import take_waiting; "
    code += "print(take_waiting(load_settings()))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=rel.chiso_env(home, **env), capture_output=True, text=True
    )


@pytest.mark.parametrize("point", ["approval.committed", "approval_request.taken", "approval_request.answered"])
def test_a_queued_portal_action_killed_in_the_writer_is_recorded_and_answered_once(rel, home, point):
    from chiso.approval.requests import Asked, answer, ask

    inbox = load_settings(home=home).inbox
    request_id = ask(inbox, REVIEWERS[0], [Asked(DATASET, UNIT, PERIOD, "accept")])
    killed = take_requests(rel, home, CHISO_FAULT=f"{point}:kill")
    assert killed.returncode == -9, f"{point} was never reached: {killed.stderr}"
    retried = take_requests(rel, home)
    assert retried.returncode == 0, retried.stderr
    answered = answer(inbox, request_id)
    assert answered is not None and answered.done and answered.actions[0]["state"] == "accepted"
    assert log_rows(home, action="accept") == [("accept", REVIEWERS[0], f"{request_id}.1")]
    assert slot_state(home / "warehouse" / "snapshot" / "chiso.duckdb") == "accepted"
    assert take_requests(rel, home).stdout.strip() == "{'done': 0, 'refused': 0}"  # nothing left waiting
