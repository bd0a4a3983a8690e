"""A data set that closes N days after its due date (issue 20, `lock_after_days`): a file received after
it is refused as closed (rule `locked`, check `slot_closed`); the province reopens such a slot, in any
state and even with no file yet, until a day; files received before then are taken, later ones refused
again. Timeliness stays the slot's own fact: closing and reopening never change on time / late.

The demo's catalog never closes a data set (docs/configuration.md): these tests use a copy in which
DP-SN closes 30 days after its due date — 2017Q2 is due 2017-07-10, its last day is 2017-08-09; every
2017 slot of DP-SN is closed today, so the province may reopen any of them.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import duckdb
import pytest

from builders import AS_OF, PROJECT_ROOT, csv_bytes, department_report, district_report, write
from chiso.approval import REOPEN_DAYS, ApprovalRefused, Slot, act
from chiso.context import RunContext
from chiso.pipeline import ingest_paths
from core.catalog import Catalog
from core.settings import load_settings

REVIEWER = "sokhcn@tinh.example.vn"
PERIOD = "2017Q2"
LAST_DAY = "2017-08-09"  # 2017Q2's due date 2017-07-10 + 30 days
# A DP-SN slot in each state (None: no file received), all on time (received 2017-07-05).
PATHS = {
    "received": ("SKHCN", ()),
    "approved": ("SYT", ("approve",)),
    "accepted": ("SCT", ("approve", "accept")),
    "returned": ("STC", ("approve", "return")),
    None: ("SGTVT", ()),
}


def slot(unit: str, dataset: str = "DP-SN") -> Slot:
    return Slot(dataset, unit, PERIOD)


def ingest(settings, folder) -> dict[str, str]:
    done = ingest_paths([folder], RunContext.of(settings, as_of=AS_OF))
    return {verdict.file_name: verdict.status for verdict in done.verdicts}


def closing_catalog(target):
    shutil.copytree(PROJECT_ROOT / "catalog", target)
    path = target / "datasets.csv"
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["dataset_code"] == "DP-SN":
            row["lock_after_days"] = "30"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("deadlines")
    settings = load_settings(home=root / "home", catalog_dir=closing_catalog(root / "catalog"))
    for state, (unit, _) in PATHS.items():
        if state is not None:
            write(root / "in" / f"{unit}.csv", csv_bytes(department_report(unit, PERIOD)), received="2017-07-05 09:00")
    # DP-HUYEN never closes: its accepted slot reopens as it always did.
    write(root / "in" / "026.csv", csv_bytes(district_report("026", PERIOD)), received="2017-07-05 09:00")
    assert set(ingest(settings, root / "in").values()) == {"accepted"}
    for unit, actions in PATHS.values():
        for action in actions:
            act(settings, slot(unit), action, by=REVIEWER, reason="xem lại")
    for action in ("approve", "accept"):
        act(settings, slot("026", "DP-HUYEN"), action, by=REVIEWER)
    return settings


@pytest.fixture
def settings(base, tmp_path):
    copy = tmp_path / "chiso.duckdb"
    shutil.copy(base.warehouse, copy)
    return replace(base, warehouse=copy)


def query(settings, sql: str, *parameters) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def state_of(settings, unit: str) -> str:
    found = query(settings, "select state from slot_approvals where unit_code = $1 and dataset_code = 'DP-SN'", unit)
    return found[0][0] if found else None


def timeliness(settings, unit: str) -> str:
    """The slot's on time / late, counting every file received so far, the tests' future receipts too."""
    later = Catalog(settings.catalog_dir).today() + timedelta(days=30)
    sql = "select status from completeness_as_of($1) where unit_code = $2 and dataset_code = 'DP-SN' and period = $3"
    return query(settings, sql, later, unit, PERIOD)[0][0]


def send(settings, tmp_path, unit: str, received: str, tasks: int = 10) -> dict:
    """A DP-SN 2017Q2 file of the unit received then; its verdict (status, the checks it tripped, words)."""
    folder = tmp_path / f"in-{unit}-{received[:10]}-{tasks}"
    write(folder / f"{unit}.csv", csv_bytes(department_report(unit, PERIOD).setting("NV_CUTHE", tasks)), received)
    (verdict,) = ingest_paths([folder], RunContext.of(settings, as_of=AS_OF)).verdicts
    findings = [*verdict.reasons, *verdict.warnings]
    return {
        "status": verdict.status,
        "checks": {finding.check for finding in findings},
        "en": " ".join(finding.en for finding in findings),
        "vi": " ".join(finding.vi for finding in findings),
    }


def test_a_file_after_the_last_day_is_refused_as_closed_and_one_on_it_is_taken(settings, tmp_path):
    on_it = send(settings, tmp_path, "SGTVT", f"{LAST_DAY} 23:59")
    assert (on_it["status"], on_it["checks"]) == ("accepted", {"late"})
    after = send(settings, tmp_path, "SXD", "2017-08-10 00:00")
    assert (after["status"], after["checks"]) == ("rejected", {"slot_closed"})
    assert f"closed at the end of {LAST_DAY} (30 days after its due date 2017-07-10)" in after["en"]
    assert "province's reviewer to reopen" in after["en"] and f"khóa sổ vào cuối ngày {LAST_DAY}" in after["vi"]
    reasons = query(settings, "select rule, check_name from rejection_reasons")
    assert reasons == [("locked", "slot_closed")]


def test_a_correction_after_the_last_day_is_refused_and_the_slot_stays_on_time(settings, tmp_path):
    assert timeliness(settings, "SKHCN") == "on_time"
    assert send(settings, tmp_path, "SKHCN", "2017-09-01 09:00", tasks=11)["checks"] == {"slot_closed"}
    assert timeliness(settings, "SKHCN") == "on_time"


@pytest.mark.parametrize("state", list(PATHS))
def test_the_province_reopens_a_closed_slot_in_any_state_until_a_day(settings, state):
    unit = PATHS[state][0]
    today = Catalog(settings.catalog_dir).today()
    done = act(settings, slot(unit), "reopen", by=REVIEWER, reason="đơn vị nộp muộn có lý do")
    # An accepted slot is received again (unlocked until the next acceptance); any other keeps its state.
    kept = {"accepted": "received", None: "received"}.get(state, state)
    assert (done["state"], state_of(settings, unit)) == (kept, kept)
    assert done["open_until"] == datetime.combine(today + timedelta(days=REOPEN_DAYS + 1), time())
    assert (done["submission_id"] is None) == (state is None)


def test_a_reopening_takes_files_until_its_day_and_refuses_them_after(settings, tmp_path):
    today = Catalog(settings.catalog_dir).today()
    until = today + timedelta(days=3)
    with pytest.raises(ApprovalRefused, match="Give a reason to reopen"):
        act(settings, slot("SGTVT"), "reopen", by=REVIEWER, until=until)
    act(settings, slot("SGTVT"), "reopen", by=REVIEWER, reason="đơn vị nộp muộn có lý do", until=until)
    taken = send(settings, tmp_path, "SGTVT", f"{until} 23:59")
    # Reopening lets the file in; it is still late (timeliness is the slot's, never the lock's).
    assert (taken["status"], taken["checks"]) == ("accepted", {"late"})
    assert timeliness(settings, "SGTVT") == "late"
    after = send(settings, tmp_path, "SGTVT", f"{until + timedelta(days=1)} 00:00", tasks=12)
    assert (after["status"], after["checks"]) == ("rejected", {"slot_closed"})
    assert f"the province reopened it until the end of {until}" in after["en"]
    assert f"tỉnh đã mở lại đến hết ngày {until}" in after["vi"]
    assert timeliness(settings, "SGTVT") == "late"
    # A later reopening replaces the expired one.
    act(settings, slot("SGTVT"), "reopen", by=REVIEWER, reason="lần hai", until=until + timedelta(days=5))
    again = send(settings, tmp_path, "SGTVT", f"{until + timedelta(days=1)} 00:00", tasks=13)
    assert (again["status"], again["checks"]) == ("accepted", {"correction"})


def test_a_reopened_accepted_slot_takes_files_until_the_next_acceptance(settings, tmp_path):
    until = Catalog(settings.catalog_dir).today() + timedelta(days=3)
    act(settings, slot("SCT"), "reopen", by=REVIEWER, reason="sửa số liệu", until=until)
    assert send(settings, tmp_path, "SCT", f"{until} 09:00", tasks=11)["checks"] == {"correction"}
    for action in ("approve", "accept"):
        act(settings, slot("SCT"), action, by=REVIEWER)
    # Within the reopening's days, but accepted again: locked, not closed.
    assert send(settings, tmp_path, "SCT", f"{until} 10:00", tasks=12)["checks"] == {"slot_locked"}
    assert timeliness(settings, "SCT") == "on_time"


def test_a_reopening_cannot_end_before_today(settings):
    yesterday = Catalog(settings.catalog_dir).today() - timedelta(days=1)
    with pytest.raises(ApprovalRefused) as refused:
        act(settings, slot("SKHCN"), "reopen", by=REVIEWER, reason="muộn", until=yesterday)
    assert "has passed" in refused.value.text.en and "đã qua" in refused.value.text.vi
    assert query(settings, "select count(*) from approval_log where action = 'reopen'") == [(0,)]


def test_a_data_set_that_never_closes_reopens_only_accepted_slots_with_no_expiry(settings):
    done = act(settings, slot("026", "DP-HUYEN"), "reopen", by=REVIEWER, reason="sửa", until=date(2099, 1, 1))
    assert (done["state"], done["open_until"]) == ("received", None)
    with pytest.raises(ApprovalRefused, match="Cannot reopen a report that is 'Received"):
        act(settings, slot("026", "DP-HUYEN"), "reopen", by=REVIEWER, reason="lại")
